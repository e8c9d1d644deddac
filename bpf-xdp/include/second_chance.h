/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Second chance on the backend (Unimog's daisy chaining, GLB's glb-redirect): a packet
 * that arrives wrapped twice belongs to a bucket whose previous owner drains. Is the
 * flow ours? Yes if the kernel has a live socket for it (established, closing, handshake
 * in progress), if it opens a new flow (TCP SYN), or if it completes a SYN-cookie
 * handshake of ours. Not for a listener alone, nor for TIME_WAIT: that is a connection of
 * ours that is over, and a client that reuses its port may by now have a live flow on the
 * previous owner, which a TIME_WAIT answer would reset; a UDP flow is ours whenever a socket would receive it
 * (an unconnected UDP socket matches every flow: see docs/drain.md). Otherwise the
 * packet goes on to the previous owner.
 */
#ifndef SLUICE_SECOND_CHANCE_H
#define SLUICE_SECOND_CHANCE_H

#include "common.h"
#include "parse.h"

#define SK_TCP_TIME_WAIT 6  /* the kernel's TCP_TIME_WAIT */
#define SK_TCP_LISTEN 10    /* the kernel's TCP_LISTEN */

enum flow_owner {
	FLOW_OURS = 0,
	FLOW_ELSEWHERE,
};

static __always_inline int tcp_flow_owner(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_len,
					  void *iph, __u32 iph_len, struct tcphdr *th, void *data_end)
{
	struct bpf_sock *sk;
	__u8 flags;
	int owner = FLOW_ELSEWHERE;

	if ((void *)(th + 1) > data_end)
		return FLOW_OURS;   /* cannot tell: let our stack judge it */
	flags = ((__u8 *)th)[TCP_FLAGS_OFFSET];
	if ((flags & (TCP_SYN_FLAG | TCP_ACK_FLAG)) == TCP_SYN_FLAG)
		return FLOW_OURS;   /* a new flow starts on the bucket's current owner */

	sk = bpf_skc_lookup_tcp(ctx, tuple, tuple_len, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return FLOW_ELSEWHERE;
	if (sk->state != SK_TCP_LISTEN && sk->state != SK_TCP_TIME_WAIT)
		owner = FLOW_OURS;
	else if (iph_len == IPV4_HDR_LEN && iph + IPV4_HDR_LEN <= data_end &&
		 bpf_tcp_check_syncookie(sk, iph, IPV4_HDR_LEN, th, TCP_HDR_LEN) == 0)
		owner = FLOW_OURS;
	else if (iph_len == IPV6_HDR_LEN && iph + IPV6_HDR_LEN <= data_end &&
		 bpf_tcp_check_syncookie(sk, iph, IPV6_HDR_LEN, th, TCP_HDR_LEN) == 0)
		owner = FLOW_OURS;
	bpf_sk_release(sk);
	return owner;
}

static __always_inline int udp_flow_owner(struct xdp_md *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_len)
{
	struct bpf_sock *sk = bpf_sk_lookup_udp(ctx, tuple, tuple_len, BPF_F_CURRENT_NETNS, 0);

	if (!sk)
		return FLOW_ELSEWHERE;
	bpf_sk_release(sk);
	return FLOW_OURS;
}

/*
 * The owner of the innermost packet at `ip` (the client's original packet). Anything
 * that is not plain TCP/UDP is left to our own stack.
 */
static __always_inline int flow_owner(struct xdp_md *ctx, void *ip, void *data_end, __be16 eth_proto)
{
	struct bpf_sock_tuple tuple = {};
	__u32 tuple_len, iph_len;
	__u8 proto;
	void *l4;

	if (eth_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = ip;

		if ((void *)(iph + 1) > data_end || iph->ihl < IPV4_MIN_IHL)
			return FLOW_OURS;
		if (bpf_ntohs(iph->frag_off) & IPV4_OFFSET_MASK)
			return FLOW_OURS;
		proto = iph->protocol;
		iph_len = iph->ihl * 4u;
		l4 = ip + (iph_len & 0x3f);
		tuple.ipv4.saddr = iph->saddr;
		tuple.ipv4.daddr = iph->daddr;
		tuple_len = sizeof(tuple.ipv4);
	} else {
		struct ipv6hdr *ip6 = ip;

		if ((void *)(ip6 + 1) > data_end)
			return FLOW_OURS;
		proto = ip6->nexthdr;
		iph_len = IPV6_HDR_LEN;
		l4 = ip6 + 1;
		__builtin_memcpy(tuple.ipv6.saddr, &ip6->saddr, sizeof(tuple.ipv6.saddr));
		__builtin_memcpy(tuple.ipv6.daddr, &ip6->daddr, sizeof(tuple.ipv6.daddr));
		tuple_len = sizeof(tuple.ipv6);
	}

	struct l4_ports *ports = l4;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return FLOW_OURS;
	if ((void *)(ports + 1) > data_end)
		return FLOW_OURS;
	if (tuple_len == sizeof(tuple.ipv4)) {
		tuple.ipv4.sport = ports->source;
		tuple.ipv4.dport = ports->dest;
	} else {
		tuple.ipv6.sport = ports->source;
		tuple.ipv6.dport = ports->dest;
	}
	if (proto == IPPROTO_UDP)
		return udp_flow_owner(ctx, &tuple, tuple_len);
	return tcp_flow_owner(ctx, &tuple, tuple_len, ip, iph_len, l4, data_end);
}

#endif /* SLUICE_SECOND_CHANCE_H */
