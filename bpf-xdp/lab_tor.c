// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lab's top-of-rack switch-router, in XDP (lab only: never shipped, never on an LB host).
 *
 * At the edge the LB host's encapsulated packets go back through the ToR, which switches and
 * routes in hardware: the second crossing costs the servers nothing. In the lab that ToR is a
 * namespace whose kernel bridges and routes in software on the same two CPUs as the client,
 * the LB and the backends, so every one-arm LB path pays the crossing twice in CPU the
 * requests need (docs/BENCHMARKS.md, side by side). Attached to every router port
 * (`LAB_ROUTER=xdp`, lab/lib.sh), this program forwards what it can at the XDP stage:
 *
 *   - L2: a frame for a fabric host's MAC goes to that host's port unchanged (the bridge's job);
 *   - L3: a frame for the router's own MAC on the ingress port, to a host route in tor_routes,
 *     gets its TTL / hop limit decremented and its MACs rewritten, and goes out the route's port.
 *
 * Everything else (ARP, ND, broadcast, the router's own addresses, no route, TTL about to
 * expire, a packet over the egress MTU) passes to the kernel, which answers it as before.
 * The lab fills the maps from the router's own neighbours and routes; every outcome is counted.
 * A redirect into a veth is only delivered when the peer runs XDP: the lab attaches xdp_pass
 * where nothing else runs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TOR_MAX_PORTS 32
#define TOR_MAX_HOSTS 256
#define TOR_AF_INET 4
#define TOR_AF_INET6 6

/* Which outcome a frame had; indexes tor_stats. The lab prints them by these names. */
enum tor_stat {
	TOR_L2_FORWARD = 0,
	TOR_L3_FORWARD,
	TOR_PASS_NOT_FOR_ROUTER, /* broadcast, multicast, a MAC the router does not know */
	TOR_PASS_NOT_IP,         /* ARP, VLAN-tagged, anything but plain IPv4 / IPv6 */
	TOR_PASS_NO_ROUTE,       /* the router's own address, or no host route */
	TOR_PASS_TTL,            /* would expire here: the kernel sends time-exceeded */
	TOR_PASS_MTU,            /* over the egress MTU: the kernel fragments or says too big */
	TOR_PASS_HAIRPIN,        /* L2 destination on the ingress port itself */
	TOR_STAT_COUNT,
};

struct tor_mac {
	__u8 addr[ETH_ALEN];
	__u16 pad;
};

struct tor_route_key {
	__u32 family; /* TOR_AF_INET or TOR_AF_INET6 */
	__u8 addr[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

struct tor_next_hop {
	__u32 ifindex;
	__u32 mtu;
	__u8 dst_mac[ETH_ALEN];
	__u8 src_mac[ETH_ALEN];
};

/* ifindex -> the router's own MAC on that port (frames to it are routed). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TOR_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct tor_mac);
} tor_ports SEC(".maps");

/* A fabric host's MAC -> the router port it sits behind (the bridge's forwarding table). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TOR_MAX_HOSTS);
	__type(key, struct tor_mac);
	__type(value, __u32);
} tor_fdb SEC(".maps");

/* Host routes (/32, /128): a neighbour's own address, or a route via that neighbour. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TOR_MAX_HOSTS);
	__type(key, struct tor_route_key);
	__type(value, struct tor_next_hop);
} tor_routes SEC(".maps");

/* One counter per enum tor_stat, in that order; named, so bpftool's dump shows the names. */
struct tor_counters {
	__u64 l2_forward;
	__u64 l3_forward;
	__u64 pass_not_for_router;
	__u64 pass_not_ip;
	__u64 pass_no_route;
	__u64 pass_ttl;
	__u64 pass_mtu;
	__u64 pass_hairpin;
};

_Static_assert(sizeof(struct tor_counters) == TOR_STAT_COUNT * sizeof(__u64),
	       "a counter per outcome");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tor_counters);
} tor_stats SEC(".maps");

static __always_inline int count(enum tor_stat stat, int verdict)
{
	__u32 zero = 0;
	__u64 *counters = bpf_map_lookup_elem(&tor_stats, &zero);

	if (counters && stat < TOR_STAT_COUNT)
		counters[stat] += 1;
	return verdict;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] &&
	       a[5] == b[5];
}

/* RFC 1624 incremental update for a TTL decrement (the TTL is the high byte of its word). */
static __always_inline void ipv4_decrement_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

/* Looks up the route; decrements TTL / hop limit. Returns the next hop or a pass reason. */
static __always_inline struct tor_next_hop *route(void *l3, void *data_end, __be16 proto,
						  enum tor_stat *why)
{
	struct tor_route_key key = {};
	struct iphdr *iph = NULL;
	struct ipv6hdr *ip6h = NULL;
	struct tor_next_hop *hop;
	__u32 len, ttl;

	*why = TOR_PASS_NOT_IP;
	if (proto == bpf_htons(ETH_P_IP)) {
		iph = l3;
		if ((void *)(iph + 1) > data_end)
			return NULL;
		key.family = TOR_AF_INET;
		__builtin_memcpy(key.addr, &iph->daddr, sizeof(iph->daddr));
		ttl = iph->ttl;
		len = bpf_ntohs(iph->tot_len);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		ip6h = l3;
		if ((void *)(ip6h + 1) > data_end)
			return NULL;
		key.family = TOR_AF_INET6;
		__builtin_memcpy(key.addr, &ip6h->daddr, sizeof(ip6h->daddr));
		ttl = ip6h->hop_limit;
		len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	} else {
		return NULL;
	}

	hop = bpf_map_lookup_elem(&tor_routes, &key);
	if (!hop) {
		*why = TOR_PASS_NO_ROUTE;
		return NULL;
	}
	if (ttl <= 1) {
		*why = TOR_PASS_TTL;
		return NULL;
	}
	if (len > hop->mtu) {
		*why = TOR_PASS_MTU;
		return NULL;
	}
	if (iph)
		ipv4_decrement_ttl(iph);
	else if (ip6h)
		ip6h->hop_limit--;
	return hop;
}

SEC("xdp")
int lab_tor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 ingress = ctx->ingress_ifindex;
	struct tor_mac dst = {};
	struct tor_mac *own;
	struct tor_next_hop *hop;
	enum tor_stat why = TOR_PASS_NOT_IP;
	__u32 *port;

	if ((void *)(eth + 1) > data_end)
		return count(TOR_PASS_NOT_IP, XDP_PASS);
	__builtin_memcpy(dst.addr, eth->h_dest, ETH_ALEN);

	port = bpf_map_lookup_elem(&tor_fdb, &dst);
	if (port) {
		if (*port == ingress)
			return count(TOR_PASS_HAIRPIN, XDP_PASS);
		return count(TOR_L2_FORWARD, bpf_redirect(*port, 0));
	}

	own = bpf_map_lookup_elem(&tor_ports, &ingress);
	if (!own || !mac_equal(own->addr, eth->h_dest))
		return count(TOR_PASS_NOT_FOR_ROUTER, XDP_PASS);

	hop = route(eth + 1, data_end, eth->h_proto, &why);
	if (!hop)
		return count(why, XDP_PASS);
	__builtin_memcpy(eth->h_dest, hop->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, hop->src_mac, ETH_ALEN);
	return count(TOR_L3_FORWARD, bpf_redirect(hop->ifindex, 0));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
