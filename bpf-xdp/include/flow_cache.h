/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow cache: a set-associative table of buckets of SLUICE_FLOW_WAYS slots, one table
 * for every CPU. The array lookup is inlined by the verifier, so a hit is a few loads and
 * compares and an insert a few stores: no helper call, no lock, no kernel LRU bookkeeping.
 * One table, not one per CPU: a flow whose packets meet more than one CPU (veth runs XDP on
 * the sending CPU; an RSS change) has one entry wherever they run, and a new flow costs one
 * bucket's memory, not one per CPU. CPUs write slots without a lock; the slot's check ties
 * its backend to its key (flow_slot_backend).
 */
#ifndef SLUICE_FLOW_CACHE_H
#define SLUICE_FLOW_CACHE_H

#include "maps.h"

#define FLOW_KEY_U64S  (sizeof(struct sluice_flow_key) / sizeof(__u64))
#define FLOW_WAY_MASK  (SLUICE_FLOW_WAYS - 1)

_Static_assert((SLUICE_FLOW_WAYS & FLOW_WAY_MASK) == 0, "ways must be a power of two");
_Static_assert(sizeof(struct sluice_flow_key) % sizeof(__u64) == 0, "key compared as u64 words");
_Static_assert(sizeof(struct sluice_flow_slot) % sizeof(__u64) == 0, "slots keep keys u64-aligned");
_Static_assert(sizeof(struct sluice_flow_bucket) % sizeof(__u64) == 0, "buckets keep keys u64-aligned");
_Static_assert(SLUICE_FLOW_BUCKETS == 1u << SLUICE_FLOW_BUCKETS_LOG2, "default bucket count and its log2");
_Static_assert(SLUICE_FLOW_TABLE_SIZE == SLUICE_FLOW_BUCKETS * SLUICE_FLOW_WAYS, "table size = buckets x ways");
_Static_assert(SLUICE_MAX_VIPS - 1 <= 0xffff, "a vip id fits the slot's 16 bits");

/*
 * The kernel's struct bpf_map, only the field read here (CO-RE relocated against the
 * running kernel's BTF). The geometry is the map's own max_entries, set by the loader
 * (sluice_abi.h): it can never disagree with the map, and a daemon that adopts the
 * pinned maps has nothing to restore.
 */
struct bpf_map___sluice {
	__u32 max_entries;
} __attribute__((preserve_access_index));

/* The flow's bucket (NULL only if the map were smaller than its own geometry says). */
static __always_inline struct sluice_flow_bucket *flow_bucket(__u32 hash)
{
	__u32 log2_buckets = ((struct bpf_map___sluice *)&flows)->max_entries & SLUICE_FLOW_LOG2_MASK;
	__u32 index = hash & ((1u << log2_buckets) - 1);

	return bpf_map_lookup_elem(&flows, &index);
}

#define FLOW_CHECK_SHIFT 16
#define FLOW_CHECK_MASK  0xffffu

/* The check a slot stores for its backend: bits of the flow hash the bucket index does not use. */
static __always_inline __u16 flow_check(__u32 hash, __u32 packed_backend)
{
	return ((hash >> FLOW_CHECK_SHIFT) ^ packed_backend) & FLOW_CHECK_MASK;
}

/*
 * Whether a found slot names a backend for this VIP (into *packed_backend): not when it is
 * another VIP's, nor when its backend and check disagree, i.e. another CPU is writing it or
 * wrote it at the same time as a third one (a miss: the flow is re-chosen and stored again).
 */
static __always_inline int flow_slot_backend(const struct sluice_flow_slot *slot, __u32 vip_id, __u32 hash,
					     __u32 *packed_backend)
{
	__u32 packed = slot->backend_id;

	*packed_backend = packed;
	return slot->vip_id == vip_id && slot->check == flow_check(hash, packed);
}

static __always_inline int flow_key_equal(const struct sluice_flow_key *a, const struct sluice_flow_key *b)
{
	const __u64 *x = (const __u64 *)a;
	const __u64 *y = (const __u64 *)b;
	__u64 diff = 0;

#pragma unroll
	for (int i = 0; i < FLOW_KEY_U64S; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* The slot holding this key, or NULL. Empty slots (family 0) never match a real key. */
static __always_inline struct sluice_flow_slot *flow_find(struct sluice_flow_bucket *bucket,
							  const struct sluice_flow_key *key)
{
#pragma unroll
	for (int way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (flow_key_equal(&bucket->slot[way].key, key))
			return &bucket->slot[way];
	}
	return NULL;
}

/* Where a new flow goes: the first empty way, else the oldest (FIFO) way, which is evicted. */
static __always_inline struct sluice_flow_slot *flow_victim(struct sluice_flow_bucket *bucket)
{
	__u32 way;

#pragma unroll
	for (way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (bucket->slot[way].key.family == 0)
			return &bucket->slot[way];
	}
	way = bucket->next_victim & FLOW_WAY_MASK;
	bucket->next_victim = (way + 1) & FLOW_WAY_MASK;
	return &bucket->slot[way];
}

/*
 * Check first, key next, backend last (the compiler barriers keep that order; x86 keeps
 * stores in order): a CPU that reads the slot meanwhile and sees this key complete sees
 * either this backend or the slot's earlier one, and the earlier one fails this check
 * unless it is the same backend.
 */
static __always_inline void flow_store(struct sluice_flow_slot *slot, const struct sluice_flow_key *key,
				       __u32 packed_backend, __u32 vip_id, __u32 hash)
{
	__u64 *to = (__u64 *)&slot->key;
	const __u64 *from = (const __u64 *)key;

	slot->vip_id = vip_id;
	slot->check = flow_check(hash, packed_backend);
	__asm__ __volatile__("" ::: "memory");
#pragma unroll
	for (int i = 0; i < FLOW_KEY_U64S; i++)
		to[i] = from[i];
	__asm__ __volatile__("" ::: "memory");
	slot->backend_id = packed_backend;
}

#endif /* SLUICE_FLOW_CACHE_H */
