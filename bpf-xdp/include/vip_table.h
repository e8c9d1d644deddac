/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The VIP table: is this {address, port, protocol} a VIP, and which one. A hash map's lookup
 * is a helper call (jhash, a bucket walk, memcmp: calls and returns, expensive on hosts with
 * return-thunk mitigations) paid by every packet, VIP or not: measured at about a third of an
 * established flow's cost. Here the daemon places each VIP in one of two buckets of a plain
 * array (two-choice hashing: with SLUICE_VIP_BUCKETS x SLUICE_VIP_WAYS slots for at most
 * SLUICE_MAX_VIPS VIPs a placement never fails in practice), and the program hashes the key
 * (five multiply-xor rounds), loads the buckets (inlined) and compares: no call.
 * The Java mirror is io.sluice.lb.dataplane.VipTable.
 */
#ifndef SLUICE_VIP_TABLE_H
#define SLUICE_VIP_TABLE_H

#include "maps.h"

#define VIP_KEY_WORDS     (sizeof(struct sluice_vip_key) / sizeof(__u32))
#define VIP_BUCKET_MASK   (SLUICE_VIP_BUCKETS - 1)
#define VIP_HASH_SHIFT    15
#define VIP_SECOND_SHIFT  16
#define VIP_FLAGS_ROTATE  16

_Static_assert(sizeof(struct sluice_vip_key) == 20, "the VIP key is hashed and compared as 5 words");
_Static_assert((SLUICE_VIP_BUCKETS & VIP_BUCKET_MASK) == 0, "VIP buckets: a power of two");
_Static_assert(SLUICE_VIP_BUCKETS * SLUICE_VIP_WAYS >= 2 * SLUICE_MAX_VIPS, "room to place every VIP");

static __always_inline __u32 vip_hash(const struct sluice_vip_key *key)
{
	const __u32 *w = (const __u32 *)key;
	__u32 h = SLUICE_HASH_SEED;

#pragma unroll
	for (int i = 0; i < VIP_KEY_WORDS; i++) {
		h = (h ^ w[i]) * SLUICE_VIP_HASH_MULT;
		h ^= h >> VIP_HASH_SHIFT;
	}
	return h;
}

static __always_inline __u32 vip_check(__u32 hash, const struct sluice_vip_meta *meta)
{
	return hash ^ meta->vip_id ^ ((meta->flags << VIP_FLAGS_ROTATE) | (meta->flags >> VIP_FLAGS_ROTATE));
}

static __always_inline const struct sluice_vip_meta *vip_in_bucket(__u32 index, const struct sluice_vip_key *key,
								   __u32 hash)
{
	struct sluice_vip_bucket *bucket = bpf_map_lookup_elem(&vips, &index);
	const __u32 *want = (const __u32 *)key;

	if (!bucket)
		return NULL;
#pragma unroll
	for (int way = 0; way < SLUICE_VIP_WAYS; way++) {
		struct sluice_vip_slot *slot = &bucket->slot[way];
		const __u32 *have = (const __u32 *)&slot->key;
		__u32 diff = 0;

#pragma unroll
		for (int i = 0; i < VIP_KEY_WORDS; i++)
			diff |= have[i] ^ want[i];
		/* A slot being written (check and meta not yet its key's) reads as no VIP. */
		if (diff == 0 && slot->check == vip_check(hash, &slot->meta))
			return &slot->meta;
	}
	return NULL;
}

/* The VIP's metadata, or NULL if the key is no VIP. */
static __always_inline const struct sluice_vip_meta *vip_find(const struct sluice_vip_key *key)
{
	__u32 hash = vip_hash(key);
	__u32 first = hash & VIP_BUCKET_MASK;
	__u32 second = (hash >> VIP_SECOND_SHIFT) & VIP_BUCKET_MASK;
	const struct sluice_vip_meta *meta = vip_in_bucket(first, key, hash);

	if (meta)
		return meta;
	if (second == first)
		second ^= 1;
	return vip_in_bucket(second, key, hash);
}

#endif /* SLUICE_VIP_TABLE_H */
