/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internet checksum (RFC 1071). Words are summed as read from memory; the
 * one's-complement sum is byte-order independent, so the folded result can be
 * stored back as read.
 */
#ifndef SLUICE_CSUM_H
#define SLUICE_CSUM_H

#include "common.h"

/* Upper bound of 16-bit words summed from the packet: ICMPv6 header + 1232 quoted bytes. */
#define CSUM_MAX_PACKET_WORDS 620

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static __always_inline __u64 csum_add_be32(__u64 sum, __be32 word)
{
	return sum + (word & 0xffff) + (word >> 16);
}

/* The 20-byte IPv4 header without options; its check field must be zero. */
static __always_inline __u16 ipv4_hdr_csum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < IPV4_HDR_LEN / 2; i++)
		sum += w[i];
	return csum_fold(sum);
}

/* Sums the packet from start to data_end (odd trailing byte padded with zero). */
static __always_inline __u64 csum_packet_to_end(void *start, void *data_end, __u64 sum)
{
	__u8 *p = start;

#pragma clang loop unroll(disable)
	for (int i = 0; i < CSUM_MAX_PACKET_WORDS; i++) {
		if ((void *)(p + 2) > data_end)
			break;
		sum += *(__u16 *)p;
		p += 2;
	}
	if ((void *)(p + 1) <= data_end)
		sum += *p;   /* little-endian load of [byte, 0] */
	return sum;
}

#endif /* SLUICE_CSUM_H */
