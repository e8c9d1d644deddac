/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Moving the Ethernet header (and its 802.1Q tag) when an IP header is pushed in
 * front of the packet or pulled off it. Source and destination never overlap:
 * every IP header is longer than the longest L2 header.
 */
#ifndef SLUICE_L2_H
#define SLUICE_L2_H

#include "common.h"

/*
 * Writes a new L2 header at `to` from the one at `from`: MACs given by the
 * caller, the VLAN tag kept, the (innermost) ethertype set to `proto`.
 * Returns -1 if either header lies outside the packet.
 */
static __always_inline int l2_rewrite(void *to, const void *from, void *data_end, int tagged,
				      const __u8 *dst_mac, const __u8 *src_mac, __be16 proto)
{
	struct ethhdr *eth = to;
	const struct ethhdr *old = from;
	__u8 dst[ETH_ALEN], src[ETH_ALEN];

	if ((void *)(eth + 1) > data_end || (void *)(old + 1) > data_end)
		return -1;
	/* The caller may pass MACs that live in the old header: copy first. */
	__builtin_memcpy(dst, dst_mac, ETH_ALEN);
	__builtin_memcpy(src, src_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	if (!tagged) {
		eth->h_proto = proto;
		return 0;
	}

	struct vlan_hdr *vlan = (void *)(eth + 1);
	const struct vlan_hdr *old_vlan = (const void *)(old + 1);

	if ((void *)(vlan + 1) > data_end || (void *)(old_vlan + 1) > data_end)
		return -1;
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	vlan->tci = old_vlan->tci;
	vlan->encapsulated_proto = proto;
	return 0;
}

#endif /* SLUICE_L2_H */
