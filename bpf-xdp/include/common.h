/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Includes, wire constants and small helpers shared by every sluice XDP program. */
#ifndef SLUICE_COMMON_H
#define SLUICE_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sluice_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* linux/if_vlan.h is kernel-internal; this is the 4-byte 802.1Q tag after the MACs. */
struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* The L4 ports sit in the first 4 bytes of both TCP and UDP headers. */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

#define ETH_HDR_LEN        ((__u32)sizeof(struct ethhdr))
#define VLAN_HDR_LEN       ((__u32)sizeof(struct vlan_hdr))
#define IPV4_HDR_LEN       ((__u32)sizeof(struct iphdr))   /* without options */
#define IPV6_HDR_LEN       ((__u32)sizeof(struct ipv6hdr))
#define IPV6_FRAG_HDR_LEN  8u
#define TCP_HDR_LEN        ((__u32)sizeof(struct tcphdr))  /* without options */
#define UDP_HDR_LEN        ((__u32)sizeof(struct udphdr))
#define ICMP_HDR_LEN       8u                               /* type, code, csum, 4 bytes rest */

#define IPV4_MIN_IHL       5       /* in 32-bit words */
#define TCP_MIN_DOFF       5       /* in 32-bit words */
#define IPV4_MF            0x2000  /* more-fragments flag in host-order frag_off */
#define IPV4_DF            0x4000
#define IPV4_OFFSET_MASK   0x1fff

#define IPPROTO_IPIP_ENCAP 4       /* IPv4 payload (IPPROTO_IPIP) */
#define IPPROTO_IPV6_ENCAP 41      /* IPv6 payload (IPPROTO_IPV6) */
#define IPV6_NEXTHDR_FRAGMENT 44

#define ENCAP_TTL          64      /* outer TTL / hop limit */

/* Longest 802.1Q-tagged Ethernet header; shorter than any IP header we push or pull,
 * so moving it by an IP header length never overlaps source and destination. */
#define L2_MAX_LEN         (ETH_HDR_LEN + VLAN_HDR_LEN)

#endif /* SLUICE_COMMON_H */
