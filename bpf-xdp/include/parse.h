/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Header parsing: Ethernet (+ one 802.1Q tag), IPv4 / IPv6, TCP / UDP ports.
 * The parser only reads; it classifies the packet so the caller can decide
 * between "not ours" (pass), "ours but bad" (drop) and "balance".
 */
#ifndef SLUICE_PARSE_H
#define SLUICE_PARSE_H

#include "common.h"

enum parse_result {
	PARSE_OK = 0,      /* complete TCP/UDP packet, flow key filled */
	PARSE_NOT_IP,      /* neither IPv4 nor IPv6 (ARP, LLDP, QinQ...) */
	PARSE_UNKNOWN,     /* IP, but whether it is for a VIP cannot be told (no ports) */
	PARSE_FRAGMENT,    /* first fragment: flow key filled, not balanceable */
	PARSE_MALFORMED,   /* flow key filled, but headers truncated or inconsistent */
};

struct packet {
	struct sluice_flow_key flow;   /* also the hashed bytes: pad stays zero */
	__u32 l2_len;                  /* Ethernet header, 14 or 18 with a tag */
	__u32 l3_hdr_len;              /* IPv4 ihl*4 (options included) or 40 */
	__u32 ip_len;                  /* IP packet length the header claims */
	__u8  tos;                     /* IPv4 TOS / IPv6 traffic class */
	__u8  has_ip_options;
	__u8  opens_flow;              /* TCP SYN without ACK: a new flow */
};

/*
 * The verifier loses the bounds of values kept in the stack-resident struct
 * packet; masking restores a small bound so packet pointers built from it pass.
 */
#define L2_LEN_MASK 0x1f
_Static_assert(L2_MAX_LEN <= L2_LEN_MASK, "L2 length mask too small");

static __always_inline __u32 l2_len(const struct packet *pkt)
{
	return pkt->l2_len & L2_LEN_MASK;
}

/* Returns the L2 header length and the ethertype it carries, or 0 if too short. */
static __always_inline __u32 parse_l2(void *data, void *data_end, __be16 *proto)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vlan;

	if ((void *)(eth + 1) > data_end)
		return 0;
	*proto = eth->h_proto;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return ETH_HDR_LEN;

	vlan = (void *)(eth + 1);
	if ((void *)(vlan + 1) > data_end)
		return 0;
	*proto = vlan->encapsulated_proto;
	return ETH_HDR_LEN + VLAN_HDR_LEN;
}

/* Checks the L4 header once the IP layer is known complete (ip_len bytes present). */
static __always_inline int check_l4(void *l4, void *data_end, __u8 proto, __u32 l4_len)
{
	if (proto == IPPROTO_UDP)
		return l4_len < UDP_HDR_LEN ? PARSE_MALFORMED : PARSE_OK;

	struct tcphdr *tcp = l4;

	if (l4_len < TCP_HDR_LEN || (void *)(tcp + 1) > data_end)
		return PARSE_MALFORMED;
	if (tcp->doff < TCP_MIN_DOFF || tcp->doff * 4u > l4_len)
		return PARSE_MALFORMED;
	return PARSE_OK;
}

#define TCP_FLAGS_OFFSET 13     /* CWR ECE URG ACK PSH RST SYN FIN */
#define TCP_SYN_FLAG     0x02
#define TCP_ACK_FLAG     0x10

/* check_l4, and for a well-formed TCP header whether it opens a new flow (SYN without ACK). */
static __always_inline int check_l4_and_syn(void *l4, void *data_end, __u8 proto, __u32 l4_len,
					    struct packet *pkt)
{
	int verdict = check_l4(l4, data_end, proto, l4_len);
	__u8 *flags = (__u8 *)l4 + TCP_FLAGS_OFFSET;

	if (verdict == PARSE_OK && proto == IPPROTO_TCP && (void *)(flags + 1) <= data_end)
		pkt->opens_flow = (*flags & (TCP_SYN_FLAG | TCP_ACK_FLAG)) == TCP_SYN_FLAG;
	return verdict;
}

static __always_inline int parse_ipv4(void *data, void *data_end, struct packet *pkt)
{
	struct iphdr *iph = data + pkt->l2_len;
	struct l4_ports *ports;
	__u64 frame_len = data_end - data;   /* u64: 32-bit ALU on packet pointers is refused (-mcpu=v3) */
	__u16 frag;

	if ((void *)(iph + 1) > data_end)
		return PARSE_UNKNOWN;
	/* IHL < 5: the ports cannot be located; the host stack drops such packets. */
	if (iph->version != 4 || iph->ihl < IPV4_MIN_IHL)
		return PARSE_UNKNOWN;
	frag = bpf_ntohs(iph->frag_off);
	/* Only the first fragment carries ports; later ones cannot be matched to a VIP. */
	if (frag & IPV4_OFFSET_MASK)
		return PARSE_UNKNOWN;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return PARSE_UNKNOWN;

	pkt->l3_hdr_len = iph->ihl * 4u;
	ports = (void *)iph + pkt->l3_hdr_len;
	if ((void *)(ports + 1) > data_end)
		return PARSE_UNKNOWN;

	pkt->flow.family = SLUICE_AF_INET;
	pkt->flow.proto = iph->protocol;
	pkt->flow.src[0] = iph->saddr;
	pkt->flow.dst[0] = iph->daddr;
	pkt->flow.sport = ports->source;
	pkt->flow.dport = ports->dest;
	pkt->tos = iph->tos;
	pkt->ip_len = bpf_ntohs(iph->tot_len);
	pkt->has_ip_options = pkt->l3_hdr_len > IPV4_HDR_LEN;

	if (frag & IPV4_MF)
		return PARSE_FRAGMENT;
	if (pkt->ip_len < pkt->l3_hdr_len || pkt->ip_len > frame_len - pkt->l2_len)
		return PARSE_MALFORMED;
	return check_l4_and_syn(ports, data_end, iph->protocol, pkt->ip_len - pkt->l3_hdr_len, pkt);
}

static __always_inline void copy_addr6(__be32 *to, const struct in6_addr *from)
{
	to[0] = from->in6_u.u6_addr32[0];
	to[1] = from->in6_u.u6_addr32[1];
	to[2] = from->in6_u.u6_addr32[2];
	to[3] = from->in6_u.u6_addr32[3];
}

static __always_inline int parse_ipv6(void *data, void *data_end, struct packet *pkt)
{
	struct ipv6hdr *ip6 = data + pkt->l2_len;
	struct l4_ports *ports;
	__u64 frame_len = data_end - data;   /* u64: 32-bit ALU on packet pointers is refused (-mcpu=v3) */
	__u8 proto;
	int fragment = 0;

	if ((void *)(ip6 + 1) > data_end)
		return PARSE_UNKNOWN;
	if (ip6->version != 6)
		return PARSE_UNKNOWN;

	proto = ip6->nexthdr;
	pkt->l3_hdr_len = IPV6_HDR_LEN;
	if (proto == IPV6_NEXTHDR_FRAGMENT) {
		/* struct frag_hdr: nexthdr, reserved, frag_off (offset << 3 | M), id */
		__u8 *frag = (void *)(ip6 + 1);

		if ((void *)(frag + IPV6_FRAG_HDR_LEN) > data_end)
			return PARSE_UNKNOWN;
		/* Only the first fragment (offset 0) carries ports. */
		if (((frag[2] << 8) | frag[3]) & ~7)
			return PARSE_UNKNOWN;
		proto = frag[0];
		pkt->l3_hdr_len += IPV6_FRAG_HDR_LEN;
		fragment = 1;
	}
	/* Other extension headers (hop-by-hop, routing, ...) are not balanced: pass. */
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return PARSE_UNKNOWN;

	ports = (void *)ip6 + pkt->l3_hdr_len;
	if ((void *)(ports + 1) > data_end)
		return PARSE_UNKNOWN;

	pkt->flow.family = SLUICE_AF_INET6;
	pkt->flow.proto = proto;
	copy_addr6(pkt->flow.src, &ip6->saddr);
	copy_addr6(pkt->flow.dst, &ip6->daddr);
	pkt->flow.sport = ports->source;
	pkt->flow.dport = ports->dest;
	pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	pkt->ip_len = IPV6_HDR_LEN + bpf_ntohs(ip6->payload_len);

	if (fragment)
		return PARSE_FRAGMENT;
	if (pkt->ip_len > frame_len - pkt->l2_len)
		return PARSE_MALFORMED;
	return check_l4_and_syn(ports, data_end, proto, pkt->ip_len - IPV6_HDR_LEN, pkt);
}

static __always_inline int parse_packet(void *data, void *data_end, struct packet *pkt)
{
	__be16 proto = 0;

	pkt->l2_len = parse_l2(data, data_end, &proto);
	if (!pkt->l2_len)
		return PARSE_NOT_IP;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(data, data_end, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(data, data_end, pkt);
	return PARSE_NOT_IP;
}

#endif /* SLUICE_PARSE_H */
