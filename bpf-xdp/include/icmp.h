/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * "Too big" answers, built in place from the offending packet: ICMP
 * fragmentation-needed (RFC 792/1191) for IPv4 clients, ICMPv6 packet-too-big
 * (RFC 4443) for IPv6 clients. Source = the VIP, destination = the client.
 */
#ifndef SLUICE_ICMP_H
#define SLUICE_ICMP_H

#include "common.h"
#include "csum.h"
#include "l2.h"
#include "parse.h"

#define ICMP_DEST_UNREACH_TYPE   3
#define ICMP_FRAG_NEEDED_CODE    4
#define ICMP4_QUOTED_PAYLOAD     8      /* bytes of payload after the quoted IP header */
#define ICMPV6_PKT_TOOBIG_TYPE   2
#define ICMPV6_NEXTHDR           58
#define IPV6_MIN_MTU             1280   /* also the cap of an ICMPv6 error packet */
#define ICMP4_PUSH_LEN           (IPV4_HDR_LEN + ICMP_HDR_LEN)
#define ICMP6_PUSH_LEN           (IPV6_HDR_LEN + ICMP_HDR_LEN)
#define ICMP6_MAX_QUOTE          (IPV6_MIN_MTU - ICMP6_PUSH_LEN)

struct icmp_too_big {
	__u8   type;
	__u8   code;
	__u16  check;
	__be32 rest;   /* v4: unused(16) + next-hop MTU(16); v6: MTU(32) */
};

/* Pushes `push_len` bytes in front of the IP header and trims the frame to `frame_len`. */
static __always_inline int icmp_make_room(struct xdp_md *ctx, const struct packet *pkt,
					  __u32 push_len, __u32 frame_len, __be16 eth_proto)
{
	void *data, *data_end;
	struct ethhdr *old_eth;

	if (bpf_xdp_adjust_head(ctx, -(int)push_len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	old_eth = data + push_len;
	/* Back to the sender: MACs swapped. */
	if (l2_rewrite(data, old_eth, data_end, l2_len(pkt) != ETH_HDR_LEN,
		       old_eth->h_source, old_eth->h_dest, eth_proto))
		return -1;
	__u32 current_len = (__u32)(ctx->data_end - ctx->data);

	if (current_len < frame_len)
		return -1;
	return bpf_xdp_adjust_tail(ctx, -(int)(current_len - frame_len)) ? -1 : 0;
}

static __always_inline int icmp4_too_big(struct xdp_md *ctx, const struct packet *pkt, __u32 mtu)
{
	__u32 quoted = pkt->l3_hdr_len + ICMP4_QUOTED_PAYLOAD;
	__u32 ip_len = ICMP4_PUSH_LEN + quoted;
	void *data, *data_end;
	struct iphdr *iph;
	struct icmp_too_big *icmp;

	if (icmp_make_room(ctx, pkt, ICMP4_PUSH_LEN, pkt->l2_len + ip_len,
			   bpf_htons(ETH_P_IP)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	iph = data + l2_len(pkt);
	icmp = (void *)(iph + 1);
	if ((void *)(icmp + 1) > data_end)
		return -1;

	*(__u8 *)iph = IPV4_VERSION_IHL;
	iph->tos = 0;
	iph->tot_len = bpf_htons(ip_len);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = ENCAP_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->check = 0;
	iph->saddr = pkt->flow.dst[0];
	iph->daddr = pkt->flow.src[0];
	iph->check = ipv4_hdr_csum(iph);

	icmp->type = ICMP_DEST_UNREACH_TYPE;
	icmp->code = ICMP_FRAG_NEEDED_CODE;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu & 0xffff);
	icmp->check = csum_fold(csum_packet_to_end(icmp, data_end, 0));
	return 0;
}

static __always_inline int icmp6_too_big(struct xdp_md *ctx, const struct packet *pkt, __u32 mtu)
{
	__u32 quoted = pkt->ip_len < ICMP6_MAX_QUOTE ? pkt->ip_len : ICMP6_MAX_QUOTE;
	__u32 payload_len = ICMP_HDR_LEN + quoted;
	void *data, *data_end;
	struct ipv6hdr *ip6;
	struct icmp_too_big *icmp;
	__u64 sum = 0;

	if (icmp_make_room(ctx, pkt, ICMP6_PUSH_LEN, pkt->l2_len + IPV6_HDR_LEN + payload_len,
			   bpf_htons(ETH_P_IPV6)))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + l2_len(pkt);
	icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + 1) > data_end)
		return -1;

	*(__be32 *)ip6 = bpf_htonl(IPV6_VERSION << IPV6_VERSION_SHIFT);
	ip6->payload_len = bpf_htons(payload_len);
	ip6->nexthdr = ICMPV6_NEXTHDR;
	ip6->hop_limit = ENCAP_TTL;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		ip6->saddr.in6_u.u6_addr32[i] = pkt->flow.dst[i];
		ip6->daddr.in6_u.u6_addr32[i] = pkt->flow.src[i];
		sum = csum_add_be32(sum, pkt->flow.src[i]);
		sum = csum_add_be32(sum, pkt->flow.dst[i]);
	}
	/* Pseudo-header: upper-layer length and next header, both as 32-bit words. */
	sum = csum_add_be32(sum, bpf_htonl(payload_len));
	sum = csum_add_be32(sum, bpf_htonl(ICMPV6_NEXTHDR));

	icmp->type = ICMPV6_PKT_TOOBIG_TYPE;
	icmp->code = 0;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : mtu);
	icmp->check = csum_fold(csum_packet_to_end(icmp, data_end, sum));
	return 0;
}

/* Answers the client in place; `mtu` is the largest inner packet that fits after encapsulation. */
static __always_inline int icmp_too_big(struct xdp_md *ctx, const struct packet *pkt, __u32 mtu)
{
	if (pkt->flow.family == SLUICE_AF_INET6)
		return icmp6_too_big(ctx, pkt, mtu);
	return icmp4_too_big(ctx, pkt, mtu);
}

#endif /* SLUICE_ICMP_H */
