/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The DoS stage (step 2 of the data path, docs/dos.md). Two halves:
 *  - dos_check_source(), for every IP packet before the VIP lookup: allow list,
 *    then deny list (LPM tries; IPv4 allow behind a /24 bitmap pre-filter, IPv4 deny
 *    answered by a /24-indexed array unless a prefix longer than /24 needs the trie).
 *    Packets without ports (ICMP, GRE, later fragments...) reach it through
 *    dos_check_unparsed(), which reads their source first.
 *  - dos_check_vip(), for packets to a VIP: fragment policy, TCP flag sanity,
 *    reflection source ports, per-source packet and new-flow rates, per-VIP
 *    new-flow ceiling.
 * Each returns DOS_CONTINUE or the reason to drop (or pass) the packet. Every check
 * is behind a count or flag of dos_config, so a rule set that is empty costs one
 * inlined array load and a few compares.
 */
#ifndef SLUICE_DOS_H
#define SLUICE_DOS_H

#include "dos_maps.h"
#include "parse.h"
#include "stats.h"
#include "hash.h"
#include "flow_cache.h"

#define DOS_CONTINUE SLUICE_REASON_MAX
#define DOS_CAS_TRIES 4          /* then the packet conforms rather than spin */
#define DOS_V6_HALF_WORDS 2      /* the /64 of a source: addr[0..1] */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_FLAG_BITS (TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG)
#define TCP_FLAGS_OFFSET 13
#define L3_LEN_MASK 0x3f         /* IPv4 header <= 60, IPv6 + fragment header 48 */
#define DOS_V6_LINK_LOCAL      0xfe800000   /* fe80::/10, first word in host order */
#define DOS_V6_LINK_LOCAL_MASK 0xffc00000

struct dos_state {
	struct sluice_dos_config *cfg;   /* NULL: no DoS rules at all */
	int allowed;                     /* source on the allow list */
};

static __always_inline int dos_allow_prefilter_hit(__u32 host_addr)
{
	__u32 word = host_addr >> 14;
	__u64 *bits = bpf_map_lookup_elem(&dos_allow_prefilter4, &word);

	return bits && (*bits & (1ull << ((host_addr >> 8) & 63)));
}

static __always_inline void dos_count_hit(__u32 id)
{
	__u64 *hits = bpf_map_lookup_elem(&dos_deny_hits, &id);

	if (hits)
		*hits += 1;
}

static __always_inline enum sluice_reason dos_lists4(__be32 src, const struct sluice_dos_config *cfg,
						     struct dos_state *st)
{
	struct sluice_dos_lpm4 key = { .prefixlen = 32, .addr = src };
	__u32 host = bpf_ntohl(src);
	__u32 slash24 = host >> 8;
	__u32 *slot, *id;

	if (cfg->allow4 && dos_allow_prefilter_hit(host) && bpf_map_lookup_elem(&dos_allow4, &key)) {
		st->allowed = 1;
		count_reason(SLUICE_DOS_ALLOWED);
		return DOS_CONTINUE;
	}
	if (!cfg->deny4)
		return DOS_CONTINUE;
	slot = bpf_map_lookup_elem(&dos_deny24, &slash24);
	if (!slot || *slot == 0)
		return DOS_CONTINUE;
	if (*slot != SLUICE_DOS_DENY24_LPM) {
		dos_count_hit(*slot - 1);
		return SLUICE_DROP_DENY_LIST;
	}
	id = bpf_map_lookup_elem(&dos_deny4, &key);
	if (!id)
		return DOS_CONTINUE;
	dos_count_hit(*id);
	return SLUICE_DROP_DENY_LIST;
}

static __always_inline enum sluice_reason dos_lists6(const __be32 *src, const struct sluice_dos_config *cfg,
						     struct dos_state *st)
{
	struct sluice_dos_lpm6 key = { .prefixlen = 128 };
	__u32 *id;

	__builtin_memcpy(key.addr, src, sizeof(key.addr));
	if (cfg->allow6 && bpf_map_lookup_elem(&dos_allow6, &key)) {
		st->allowed = 1;
		count_reason(SLUICE_DOS_ALLOWED);
		return DOS_CONTINUE;
	}
	if (!cfg->deny6)
		return DOS_CONTINUE;
	id = bpf_map_lookup_elem(&dos_deny6, &key);
	if (!id)
		return DOS_CONTINUE;
	dos_count_hit(*id);
	return SLUICE_DROP_DENY_LIST;
}

/*
 * IPv6 link-local (fe80::/10) and unspecified (::) sources are never routed to us: they come
 * from our own link (the router's RAs, neighbour discovery, duplicate address detection).
 * Neither list applies to them, so no deny prefix can cut the host off from its neighbours.
 */
static __always_inline int dos_v6_on_link_source(const __be32 *src)
{
	__u32 first = bpf_ntohl(src[0]);

	if ((first & DOS_V6_LINK_LOCAL_MASK) == DOS_V6_LINK_LOCAL)
		return 1;
	return first == 0 && (src[1] | src[2] | src[3]) == 0;
}

/* Allow and deny lists, for every packet whose source the parser read. */
static __always_inline enum sluice_reason dos_check_source(const struct packet *pkt, struct dos_state *st)
{
	__u32 key = 0;
	struct sluice_dos_config *cfg = bpf_map_lookup_elem(&dos_config, &key);

	st->cfg = cfg;
	st->allowed = 0;
	if (!cfg)
		return DOS_CONTINUE;
	if (pkt->flow.family == SLUICE_AF_INET) {
		if (cfg->allow4 | cfg->deny4)
			return dos_lists4(pkt->flow.src[0], cfg, st);
	} else if ((cfg->allow6 | cfg->deny6) && !dos_v6_on_link_source(pkt->flow.src)) {
		return dos_lists6(pkt->flow.src, cfg, st);
	}
	return DOS_CONTINUE;
}

/*
 * An IP packet without ports (PARSE_UNKNOWN: ICMP, ICMPv6, GRE, ESP, other protocols,
 * non-first fragments, IPv6 extension headers, a truncated L4 header): the parser filled
 * no flow key, so read the source here and fill family and source in. Returns 0 when no
 * source can be read (IP header cut short, wrong version): such a packet passes as before.
 * Only this path pays for the second look; complete TCP/UDP packets never come here.
 */
static __always_inline int dos_read_unparsed_source(void *data, void *data_end, struct packet *pkt)
{
	__be16 proto = 0;
	__u32 l2 = parse_l2(data, data_end, &proto) & L2_LEN_MASK;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + l2;

		if ((void *)(iph + 1) > data_end || iph->version != 4)
			return 0;
		pkt->flow.family = SLUICE_AF_INET;
		pkt->flow.src[0] = iph->saddr;
		return 1;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l2;

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return 0;
		pkt->flow.family = SLUICE_AF_INET6;
		copy_addr6(pkt->flow.src, &ip6->saddr);
		return 1;
	}
	return 0;
}

/* The lists for a PARSE_UNKNOWN packet: DOS_CONTINUE (pass it to the host) or the drop reason. */
static __always_inline enum sluice_reason dos_check_unparsed(void *data, void *data_end, struct packet *pkt,
							     struct dos_state *st)
{
	if (!dos_read_unparsed_source(data, data_end, pkt))
		return DOS_CONTINUE;
	return dos_check_source(pkt, st);
}

/*
 * The clock of every rate limit: the kernel's coarse monotonic clock, which moves once a tick
 * (4 ms at HZ=250). bpf_ktime_get_ns() reads the clock source itself, about 27 ns a packet on
 * this kind of VM (kvm-clock); the coarse clock is a read of the time the last tick stored. The
 * daemon keeps every limit's tolerance at least one tick (DosRate.java), so a bucket loses no
 * credit when time moves in steps: the long-run rate stays exact, bursts come in ticks.
 */
static __always_inline __u64 dos_clock_ns(void)
{
	return bpf_ktime_get_coarse_ns();
}

/* GCRA: does one more event fit the rate now? The state moves by compare-and-swap (multi-core). */
static __always_inline int dos_conforms(__u64 *tat, const struct sluice_dos_rate *rate, __u64 now)
{
	__u64 interval = rate->interval_ns, tolerance = rate->tolerance_ns;

#pragma unroll
	for (int i = 0; i < DOS_CAS_TRIES; i++) {
		__u64 old = *(volatile __u64 *)tat;
		__u64 base = old > now ? old : now;

		if (base - now > tolerance)
			return 0;
		if (__sync_val_compare_and_swap(tat, old, base + interval) == old)
			return 1;
	}
	return 1;
}

/* Bad TCP flag combinations: SYN+FIN, SYN+RST, none of the six, FIN+PSH+URG (xmas). */
static __always_inline int dos_tcp_flags_invalid(__u8 flags)
{
	__u8 f = flags & TCP_FLAG_BITS;

	if (f == 0)
		return 1;
	if ((f & TCP_SYN) && (f & (TCP_FIN | TCP_RST)))
		return 1;
	return (f & (TCP_FIN | TCP_PSH | TCP_URG)) == (TCP_FIN | TCP_PSH | TCP_URG);
}

/* The TCP flags byte (the parser has checked the whole TCP header is there), or -1. */
static __always_inline int dos_tcp_flags(struct xdp_md *ctx, const struct packet *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *tcp = data + l2_len(pkt) + (pkt->l3_hdr_len & L3_LEN_MASK);

	if ((void *)(tcp + TCP_HDR_LEN) > data_end)
		return -1;
	return tcp[TCP_FLAGS_OFFSET];
}

static __always_inline int dos_reflection_port(__u16 port)
{
	__u32 word = port >> 6;
	__u64 *bits = bpf_map_lookup_elem(&dos_reflection_ports, &word);

	return bits && (*bits & (1ull << (port & 63)));
}

static __always_inline int dos_vip_accepts_port(const struct sluice_dos_vip *vip, __be16 port)
{
#pragma unroll
	for (int i = 0; i < SLUICE_DOS_VIP_PORTS; i++) {
		if (vip->reflection_ports[i] == port)
			return 1;
	}
	return 0;
}

/* A TCP SYN (without ACK), or a UDP packet whose flow the flow cache does not know. */
static __always_inline int dos_new_flow(const struct packet *pkt, __u32 vip_id, int tcp_flags)
{
	struct flow_place place = {};

	if (pkt->flow.proto == IPPROTO_TCP)
		return (tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	flow_locate(&pkt->flow, vip_id, flow_hash(&pkt->flow), &place);
	return !place.found;
}

static __always_inline enum sluice_reason dos_source_rates(const struct packet *pkt,
							   const struct sluice_dos_config *cfg,
							   int new_flow, __u64 now)
{
	struct sluice_dos_source_key key = { .family = pkt->flow.family };
	struct sluice_dos_source *src;

	key.addr[0] = pkt->flow.src[0];
	if (pkt->flow.family == SLUICE_AF_INET6)
		key.addr[1] = pkt->flow.src[1];   /* per /64: addr[2..3] stay zero */
	src = bpf_map_lookup_elem(&dos_sources, &key);
	if (!src) {
		struct sluice_dos_source fresh = {
			.packet_tat = now + cfg->source_packets.interval_ns,
			.flow_tat = new_flow ? now + cfg->source_flows.interval_ns : 0,
			.packets = 1,
			.new_flows = new_flow,
		};
		/* The first packet of a source always fits (burst >= 1). A racing CPU's insert wins. */
		bpf_map_update_elem(&dos_sources, &key, &fresh, BPF_NOEXIST);
		return DOS_CONTINUE;
	}
	/*
	 * The counters feed the daemon's rate estimates: plain adds (a lost increment when two
	 * CPUs race on one source is noise there). The limits themselves move by CAS.
	 */
	src->packets += 1;
	if (cfg->source_packets.interval_ns && !dos_conforms(&src->packet_tat, &cfg->source_packets, now)) {
		src->dropped += 1;
		return SLUICE_DROP_SOURCE_RATE;
	}
	if (!new_flow)
		return DOS_CONTINUE;
	src->new_flows += 1;
	if (cfg->source_flows.interval_ns && !dos_conforms(&src->flow_tat, &cfg->source_flows, now)) {
		src->dropped += 1;
		return SLUICE_DROP_SOURCE_FLOW_RATE;
	}
	return DOS_CONTINUE;
}

static __always_inline enum sluice_reason dos_vip_ceiling(__u32 vip_id, __u64 now)
{
	struct sluice_dos_vip *vip = bpf_map_lookup_elem(&dos_vips, &vip_id);
	__u64 *tat;

	if (!vip || !vip->new_flows.interval_ns)
		return DOS_CONTINUE;
	tat = bpf_map_lookup_elem(&dos_vip_flow_state, &vip_id);
	if (tat && !dos_conforms(tat, &vip->new_flows, now))
		return SLUICE_DROP_VIP_FLOW_CEILING;
	return DOS_CONTINUE;
}

/* A first fragment to a VIP: dropped (the default), or passed to the host if the VIP says so. */
static __always_inline enum sluice_reason dos_fragment(__u32 vip_id)
{
	struct sluice_dos_vip *vip = bpf_map_lookup_elem(&dos_vips, &vip_id);

	if (vip && (vip->flags & SLUICE_DOS_VIP_F_PASS_FRAGMENTS))
		return SLUICE_PASS_FRAGMENT;
	return SLUICE_DROP_FRAGMENT;
}

/* The checks for a complete TCP/UDP packet to a VIP (PARSE_OK). */
static __always_inline enum sluice_reason dos_check_vip(struct xdp_md *ctx, const struct packet *pkt,
							__u32 vip_id, const struct dos_state *st)
{
	const struct sluice_dos_config *cfg = st->cfg;
	int tcp_flags = 0, new_flow = 0;
	__u32 flags;
	__u64 now;

	if (!cfg)
		return DOS_CONTINUE;
	flags = cfg->flags;
	if (pkt->flow.proto == IPPROTO_TCP) {
		if (flags & (SLUICE_DOS_F_TCP_FLAGS | SLUICE_DOS_F_TRACK_SOURCES | SLUICE_DOS_F_VIP_CEILINGS)) {
			tcp_flags = dos_tcp_flags(ctx, pkt);
			if (tcp_flags < 0)
				return SLUICE_DROP_TRUNCATED;
			if ((flags & SLUICE_DOS_F_TCP_FLAGS) && dos_tcp_flags_invalid(tcp_flags))
				return SLUICE_DROP_TCP_FLAGS;
		}
	} else if ((flags & SLUICE_DOS_F_REFLECTION) && dos_reflection_port(bpf_ntohs(pkt->flow.sport))) {
		struct sluice_dos_vip *vip = bpf_map_lookup_elem(&dos_vips, &vip_id);

		if (!vip || !dos_vip_accepts_port(vip, pkt->flow.sport))
			return SLUICE_DROP_REFLECTION;
	}

	if (st->allowed || !(flags & (SLUICE_DOS_F_TRACK_SOURCES | SLUICE_DOS_F_VIP_CEILINGS)))
		return DOS_CONTINUE;

	now = dos_clock_ns();
	if ((flags & SLUICE_DOS_F_VIP_CEILINGS) || cfg->source_flows.interval_ns)
		new_flow = dos_new_flow(pkt, vip_id, tcp_flags);
	if (flags & SLUICE_DOS_F_TRACK_SOURCES) {
		enum sluice_reason r = dos_source_rates(pkt, cfg, new_flow, now);

		if (r != DOS_CONTINUE)
			return r;
	}
	if (new_flow && (flags & SLUICE_DOS_F_VIP_CEILINGS))
		return dos_vip_ceiling(vip_id, now);
	return DOS_CONTINUE;
}

#endif /* SLUICE_DOS_H */
