/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IP-in-IP encapsulation towards a backend: IPv4 or IPv6 outer header by the
 * backend's family, the inner packet untouched. The outer source carries flow
 * entropy (bits of the flow hash) so the backend NIC's RSS spreads flows.
 */
#ifndef SLUICE_ENCAP_H
#define SLUICE_ENCAP_H

#include "common.h"
#include "csum.h"
#include "l2.h"
#include "parse.h"

#define IPV4_VERSION_IHL   0x45   /* version 4, 5 words */
#define IPV6_VERSION       6
#define IPV6_VERSION_SHIFT 28
#define IPV6_TCLASS_SHIFT  20
#define IPV6_SRC_VARY_WORD 3

static __always_inline __u32 encap_overhead(const struct sluice_backend *backend)
{
	return backend->family == SLUICE_AF_INET6 ? IPV6_HDR_LEN : IPV4_HDR_LEN;
}

/* The varied bits of the address are the same bits of the hash read as a number. */
static __always_inline __be32 vary_addr(__be32 base, __be32 vary_mask, __u32 hash)
{
	return base | (bpf_htonl(hash) & vary_mask);
}

static __always_inline __u8 inner_ip_proto(const struct packet *pkt)
{
	return pkt->flow.family == SLUICE_AF_INET ? IPPROTO_IPIP_ENCAP : IPPROTO_IPV6_ENCAP;
}

/*
 * What one outer header wraps: the packet as it is now (length, IP protocol number of
 * its outermost header) and the MACs of the rewritten Ethernet header. The first layer
 * goes to the gateway from this host (gateway MAC, our MAC = the old destination); a
 * second layer keeps the MACs the first one wrote.
 */
struct encap_inner {
	__u32 ip_len;
	__u8  ip_proto;
	__u8  keep_macs;
};

static __always_inline int push_outer_ipv4(struct xdp_md *ctx, const struct packet *pkt,
					   const struct encap_inner *inner,
					   const struct sluice_config *cfg,
					   const struct sluice_backend *backend, __u32 hash)
{
	void *data, *data_end;
	struct iphdr *outer;
	struct ethhdr *old_eth;

	if (bpf_xdp_adjust_head(ctx, -(int)IPV4_HDR_LEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	old_eth = data + IPV4_HDR_LEN;
	if (l2_rewrite(data, old_eth, data_end, l2_len(pkt) != ETH_HDR_LEN,
		       inner->keep_macs ? old_eth->h_dest : cfg->gateway_mac,
		       inner->keep_macs ? old_eth->h_source : old_eth->h_dest, bpf_htons(ETH_P_IP)))
		return -1;

	outer = data + l2_len(pkt);
	if ((void *)(outer + 1) > data_end)
		return -1;
	*(__u8 *)outer = IPV4_VERSION_IHL;
	outer->tos = pkt->tos;
	outer->tot_len = bpf_htons(inner->ip_len + IPV4_HDR_LEN);
	outer->id = 0;
	outer->frag_off = bpf_htons(IPV4_DF);
	outer->ttl = ENCAP_TTL;
	outer->protocol = inner->ip_proto;
	outer->check = 0;
	outer->saddr = vary_addr(cfg->encap_src4, cfg->encap_src4_vary, hash);
	outer->daddr = backend->addr[0];
	outer->check = ipv4_hdr_csum(outer);
	return 0;
}

static __always_inline int push_outer_ipv6(struct xdp_md *ctx, const struct packet *pkt,
					   const struct encap_inner *inner,
					   const struct sluice_config *cfg,
					   const struct sluice_backend *backend, __u32 hash)
{
	void *data, *data_end;
	struct ipv6hdr *outer;
	struct ethhdr *old_eth;

	if (bpf_xdp_adjust_head(ctx, -(int)IPV6_HDR_LEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	old_eth = data + IPV6_HDR_LEN;
	if (l2_rewrite(data, old_eth, data_end, l2_len(pkt) != ETH_HDR_LEN,
		       inner->keep_macs ? old_eth->h_dest : cfg->gateway_mac,
		       inner->keep_macs ? old_eth->h_source : old_eth->h_dest, bpf_htons(ETH_P_IPV6)))
		return -1;

	outer = data + l2_len(pkt);
	if ((void *)(outer + 1) > data_end)
		return -1;
	/* Version, traffic class copied from the inner packet, flow label 0. */
	*(__be32 *)outer = bpf_htonl((IPV6_VERSION << IPV6_VERSION_SHIFT) |
				     ((__u32)pkt->tos << IPV6_TCLASS_SHIFT));
	outer->payload_len = bpf_htons(inner->ip_len);
	outer->nexthdr = inner->ip_proto;
	outer->hop_limit = ENCAP_TTL;
	outer->saddr.in6_u.u6_addr32[0] = cfg->encap_src6[0];
	outer->saddr.in6_u.u6_addr32[1] = cfg->encap_src6[1];
	outer->saddr.in6_u.u6_addr32[2] = cfg->encap_src6[2];
	outer->saddr.in6_u.u6_addr32[IPV6_SRC_VARY_WORD] =
		vary_addr(cfg->encap_src6[IPV6_SRC_VARY_WORD], cfg->encap_src6_vary, hash);
	outer->daddr.in6_u.u6_addr32[0] = backend->addr[0];
	outer->daddr.in6_u.u6_addr32[1] = backend->addr[1];
	outer->daddr.in6_u.u6_addr32[2] = backend->addr[2];
	outer->daddr.in6_u.u6_addr32[3] = backend->addr[3];
	return 0;
}

static __always_inline int push_outer(struct xdp_md *ctx, const struct packet *pkt,
				      const struct encap_inner *inner, const struct sluice_config *cfg,
				      const struct sluice_backend *backend, __u32 hash)
{
	if (backend->family == SLUICE_AF_INET6)
		return push_outer_ipv6(ctx, pkt, inner, cfg, backend, hash);
	return push_outer_ipv4(ctx, pkt, inner, cfg, backend, hash);
}

static __always_inline int encapsulate(struct xdp_md *ctx, const struct packet *pkt,
				       const struct sluice_config *cfg,
				       const struct sluice_backend *backend, __u32 hash)
{
	struct encap_inner inner = { .ip_len = pkt->ip_len, .ip_proto = inner_ip_proto(pkt) };

	return push_outer(ctx, pkt, &inner, cfg, backend, hash);
}

static __always_inline __u8 encap_proto_of(const struct sluice_backend *backend)
{
	return backend->family == SLUICE_AF_INET6 ? IPPROTO_IPV6_ENCAP : IPPROTO_IPIP_ENCAP;
}

/*
 * Second chance: the packet wrapped for the bucket's draining previous owner, and that
 * wrapped again for the current owner. The current owner's decap keeps the flow if it is
 * its own and otherwise strips the outer layer and sends the rest on (decap.c).
 */
static __always_inline int encapsulate_two(struct xdp_md *ctx, const struct packet *pkt,
					   const struct sluice_config *cfg,
					   const struct sluice_backend *current,
					   const struct sluice_backend *previous, __u32 hash)
{
	struct encap_inner inner = { .ip_len = pkt->ip_len, .ip_proto = inner_ip_proto(pkt) };

	if (push_outer(ctx, pkt, &inner, cfg, previous, hash))
		return -1;
	inner.ip_len += encap_overhead(previous);
	inner.ip_proto = encap_proto_of(previous);
	inner.keep_macs = 1;
	return push_outer(ctx, pkt, &inner, cfg, current, hash);
}

#endif /* SLUICE_ENCAP_H */
