// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sluice decap: XDP on a backend. Strips the outer IPv4/IPv6 header of an
 * IP-in-IP packet (protocol 4 or 41) and passes the inner packet to the stack,
 * which then sees it as if the client had sent it (the VIP lives on loopback).
 * Everything else passes untouched. Replaces the ipip/ip6tnl devices the lab
 * kernels lack.
 */
#include "common.h"
#include "l2.h"
#include "parse.h"
#include "decap_maps.h"
#include "second_chance.h"
#include "abi_btf.h"

/* Bounds the strip length for the verifier: an IPv4 header is at most 60 bytes. */
#define OUTER_LEN_MASK 0x3f
/* Two layers: at most 120 bytes. */
#define TWO_LAYERS_LEN_MASK 0x7f

enum outer_result {
	OUTER_NOT_ENCAP = 0,
	OUTER_OK,
	OUTER_TRUNCATED,
};

struct outer {
	__u32 len;          /* bytes to strip */
	__u32 inner_len;    /* inner packet length the outer header claims */
	__be16 inner_eth_proto;
	__u32 inner_min_len;
};

static __always_inline int inner_family(__u8 proto, struct outer *out)
{
	if (proto == IPPROTO_IPIP_ENCAP) {
		out->inner_eth_proto = bpf_htons(ETH_P_IP);
		out->inner_min_len = IPV4_HDR_LEN;
		return OUTER_OK;
	}
	if (proto == IPPROTO_IPV6_ENCAP) {
		out->inner_eth_proto = bpf_htons(ETH_P_IPV6);
		out->inner_min_len = IPV6_HDR_LEN;
		return OUTER_OK;
	}
	return OUTER_NOT_ENCAP;
}

static __always_inline int parse_outer_ipv4(void *ip, void *data_end, struct outer *out)
{
	struct iphdr *iph = ip;
	__u32 tot_len;

	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < IPV4_MIN_IHL)
		return OUTER_NOT_ENCAP;
	/* An outer fragment needs reassembly first: the stack's job. */
	if (bpf_ntohs(iph->frag_off) & (IPV4_MF | IPV4_OFFSET_MASK))
		return OUTER_NOT_ENCAP;
	if (inner_family(iph->protocol, out) != OUTER_OK)
		return OUTER_NOT_ENCAP;
	out->len = iph->ihl * 4u;
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < out->len)
		return OUTER_TRUNCATED;
	out->inner_len = tot_len - out->len;
	return OUTER_OK;
}

static __always_inline int parse_outer_ipv6(void *ip, void *data_end, struct outer *out)
{
	struct ipv6hdr *ip6 = ip;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return OUTER_NOT_ENCAP;
	if (inner_family(ip6->nexthdr, out) != OUTER_OK)
		return OUTER_NOT_ENCAP;
	out->len = IPV6_HDR_LEN;
	out->inner_len = bpf_ntohs(ip6->payload_len);
	return OUTER_OK;
}

enum strip_to {
	UP_THE_STACK = 0,    /* L2 addresses as received: the stack takes the inner packet */
	BACK_TO_SENDER,      /* MACs swapped: XDP_TX back to the router that delivered it */
};

/* Pulls `len` bytes of outer headers off, moving the L2 header (and tag) forward over them. */
static __always_inline int strip_layers(struct xdp_md *ctx, __u32 l2, __u32 len, enum strip_to to,
					__be16 inner_eth_proto)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *old_eth = data;

	len &= TWO_LAYERS_LEN_MASK;
	if (l2_rewrite(data + len, old_eth, data_end, l2 != ETH_HDR_LEN,
		       to == BACK_TO_SENDER ? old_eth->h_source : old_eth->h_dest,
		       to == BACK_TO_SENDER ? old_eth->h_dest : old_eth->h_source, inner_eth_proto))
		return -1;
	return bpf_xdp_adjust_head(ctx, (int)len) ? -1 : 0;
}

SEC("xdp")
int decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 frame_len = data_end - data;   /* u64: 32-bit ALU on packet pointers is refused (-mcpu=v3) */
	struct outer out = {};
	__be16 proto = 0;
	__u32 l2 = parse_l2(data, data_end, &proto) & L2_LEN_MASK;
	int result = OUTER_NOT_ENCAP;

	if (l2 && proto == bpf_htons(ETH_P_IP))
		result = parse_outer_ipv4(data + l2, data_end, &out);
	else if (l2 && proto == bpf_htons(ETH_P_IPV6))
		result = parse_outer_ipv6(data + l2, data_end, &out);

	if (result == OUTER_NOT_ENCAP) {
		count_decap(SLUICE_DECAP_PASS_NOT_ENCAP);
		return XDP_PASS;
	}
	/* Never hand the stack a cut inner packet. */
	if (result == OUTER_TRUNCATED || out.inner_len < out.inner_min_len ||
	    l2 + out.len + out.inner_len > frame_len) {
		count_decap(SLUICE_DECAP_DROP_TRUNCATED);
		return XDP_DROP;
	}

	__u32 strip = out.len & OUTER_LEN_MASK;
	struct outer mid = {};

	/* A second IP-in-IP layer: the balancer named the bucket's draining previous owner. */
	if (out.inner_eth_proto == bpf_htons(ETH_P_IP))
		result = parse_outer_ipv4(data + l2 + strip, data_end, &mid);
	else
		result = parse_outer_ipv6(data + l2 + strip, data_end, &mid);
	if (result == OUTER_TRUNCATED || (result == OUTER_OK && (mid.inner_len < mid.inner_min_len ||
								  mid.len + mid.inner_len > out.inner_len))) {
		count_decap(SLUICE_DECAP_DROP_TRUNCATED);
		return XDP_DROP;
	}
	if (result == OUTER_OK) {
		__u32 both = (strip + (mid.len & OUTER_LEN_MASK)) & TWO_LAYERS_LEN_MASK;

		if (flow_owner(ctx, data + l2 + both, data_end, mid.inner_eth_proto) == FLOW_ELSEWHERE) {
			/* The previous owner's layer becomes the outer one; back to the router it came from. */
			if (strip_layers(ctx, l2, strip, BACK_TO_SENDER, out.inner_eth_proto)) {
				count_decap(SLUICE_DECAP_DROP_TRUNCATED);
				return XDP_DROP;
			}
			count_decap(SLUICE_DECAP_SECOND_CHANCE_FORWARD);
			return XDP_TX;
		}
		if (strip_layers(ctx, l2, both, UP_THE_STACK, mid.inner_eth_proto)) {
			count_decap(SLUICE_DECAP_DROP_TRUNCATED);
			return XDP_DROP;
		}
		count_decap(SLUICE_DECAP_SECOND_CHANCE_LOCAL);
		return XDP_PASS;
	}

	if (strip_layers(ctx, l2, strip, UP_THE_STACK, out.inner_eth_proto)) {
		count_decap(SLUICE_DECAP_DROP_TRUNCATED);
		return XDP_DROP;
	}
	count_decap(SLUICE_DECAP_DONE);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
