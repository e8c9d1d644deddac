/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow cache: set-associative tables of buckets of SLUICE_FLOW_WAYS ways, one table for
 * every CPU, one per address family. The array lookup is inlined by the verifier, so a hit is
 * a few loads and compares and an insert a few stores: no helper call, no lock, no kernel LRU
 * bookkeeping. One table, not one per CPU: a flow whose packets meet more than one CPU (veth
 * runs XDP on the sending CPU; an RSS change) has one entry wherever they run, and a new flow
 * costs one bucket's memory, not one per CPU. CPUs write ways without a lock; the way's check
 * ties its backend to its key (flow_check).
 *
 * IPv4 flows live in flows4, whose bucket is one cache line: the key is the client's address
 * and port and the VIP's id (8 bytes, one compare), since the id stands for everything else of
 * the 5-tuple. IPv6 flows live in flows6, whose slots hold the whole key.
 */
#ifndef SLUICE_FLOW_CACHE_H
#define SLUICE_FLOW_CACHE_H

#include "maps.h"

#define FLOW_KEY_U64S  (sizeof(struct sluice_flow_key) / sizeof(__u64))
#define FLOW_WAY_MASK  (SLUICE_FLOW_WAYS - 1)
#define CACHE_LINE     64

_Static_assert((SLUICE_FLOW_WAYS & FLOW_WAY_MASK) == 0, "ways must be a power of two");
_Static_assert(sizeof(struct sluice_flow_key) % sizeof(__u64) == 0, "key compared as u64 words");
_Static_assert(sizeof(struct sluice_flow_slot) % sizeof(__u64) == 0, "slots keep keys u64-aligned");
_Static_assert(sizeof(struct sluice_flow_bucket) % sizeof(__u64) == 0, "buckets keep keys u64-aligned");
_Static_assert(sizeof(struct sluice_flow4_key) == sizeof(__u64), "an IPv4 key is compared as one u64");
_Static_assert(sizeof(struct sluice_flow4_bucket) == CACHE_LINE, "an IPv4 bucket is one cache line");
_Static_assert(SLUICE_FLOW_BUCKETS == 1u << SLUICE_FLOW_BUCKETS_LOG2, "default bucket count and its log2");
_Static_assert(SLUICE_FLOW_TABLE_SIZE == SLUICE_FLOW_BUCKETS * SLUICE_FLOW_WAYS, "table size = buckets x ways");
_Static_assert(SLUICE_MAX_VIPS - 1 <= 0xffff, "a vip id fits the slot's 16 bits");
_Static_assert(SLUICE_MAX_VIPS - 1 <= SLUICE_FLOW4_TAG_VIP_MASK, "a vip id fits an IPv4 key's tag");
_Static_assert((SLUICE_FLOW4_TAG_IN_USE & SLUICE_FLOW4_TAG_VIP_MASK) == 0, "the in-use bit is not a vip id bit");

/*
 * The kernel's struct bpf_map, only the field read here (CO-RE relocated against the
 * running kernel's BTF). The geometry is the map's own max_entries, set by the loader
 * (sluice_abi.h): it can never disagree with the map, and a daemon that adopts the
 * pinned maps has nothing to restore.
 */
struct bpf_map___sluice {
	__u32 max_entries;
} __attribute__((preserve_access_index));

/* The bucket index of a flow hash in a flow table (either family: the same geometry rule). */
#define flow_index(table, hash) \
	((hash) & ((1u << (((struct bpf_map___sluice *)(table))->max_entries & SLUICE_FLOW_LOG2_MASK)) - 1))

#define FLOW_CHECK_SHIFT 16
#define FLOW_CHECK_MASK  0xffffu

/* The check a way stores for its backend: bits of the flow hash the bucket index does not use. */
static __always_inline __u16 flow_check(__u32 hash, __u32 packed_backend)
{
	return ((hash >> FLOW_CHECK_SHIFT) ^ packed_backend) & FLOW_CHECK_MASK;
}

/*
 * Where a flow is remembered, or will be: a way of a flows4 bucket (IPv4) or a slot of a flows6
 * bucket (IPv6). `found`: the place holds this flow's key (its backend still to be checked).
 */
struct flow_place {
	struct sluice_flow4_bucket *bucket4;
	__u64 key4;                       /* IPv4: the key word, made once for find and store */
	struct sluice_flow_bucket *bucket6;
	struct sluice_flow_slot *slot6;
	__u32 way4;
	int found;
};

/* --- flows4: IPv4, one cache line per bucket */

/* The 8 key bytes of an IPv4 flow to this VIP, as one word (never 0: the tag's in-use bit). */
static __always_inline __u64 flow4_key_word(const struct sluice_flow_key *key, __u32 vip_id)
{
	union {
		struct sluice_flow4_key key;
		__u64 word;
	} k = {
		.key = {
			.src = key->src[0],
			.sport = key->sport,
			.vip_tag = (__u16)(vip_id | SLUICE_FLOW4_TAG_IN_USE),
		},
	};

	return k.word;
}

static __always_inline void flow4_find(struct sluice_flow4_bucket *bucket, __u64 word, struct flow_place *place)
{
	const __u64 *keys = (const __u64 *)bucket->key;

#pragma unroll
	for (__u32 way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (keys[way] == word) {
			place->way4 = way;
			place->found = 1;
			return;
		}
	}
}

/* Where a new IPv4 flow goes: the first empty way, else the oldest (FIFO) way, which is evicted. */
static __always_inline __u32 flow4_victim(struct sluice_flow4_bucket *bucket)
{
	__u32 way;

#pragma unroll
	for (way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (bucket->key[way].vip_tag == 0)
			return way;
	}
	way = bucket->next_victim & FLOW_WAY_MASK;
	bucket->next_victim = (way + 1) & FLOW_WAY_MASK;
	return way;
}

/* Check first, key (one 8-byte store) next, backend last: see flow6_store. */
static __always_inline void flow4_store(struct sluice_flow4_bucket *bucket, __u32 way, __u64 word,
					__u32 packed_backend, __u32 hash)
{
	way &= FLOW_WAY_MASK;
	bucket->check[way] = flow_check(hash, packed_backend);
	__asm__ __volatile__("" ::: "memory");
	((__u64 *)bucket->key)[way] = word;
	__asm__ __volatile__("" ::: "memory");
	bucket->backend_id[way] = packed_backend;
}

/* --- flows6: IPv6, the whole key in each slot */

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

/* Empty slots (family 0) never match a real key. */
static __always_inline void flow6_find(struct sluice_flow_bucket *bucket, const struct sluice_flow_key *key,
				       struct flow_place *place)
{
#pragma unroll
	for (int way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (flow_key_equal(&bucket->slot[way].key, key)) {
			place->slot6 = &bucket->slot[way];
			place->found = 1;
			return;
		}
	}
}

/* Where a new IPv6 flow goes: the first empty way, else the oldest (FIFO) way, which is evicted. */
static __always_inline struct sluice_flow_slot *flow6_victim(struct sluice_flow_bucket *bucket)
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
static __always_inline void flow6_store(struct sluice_flow_slot *slot, const struct sluice_flow_key *key,
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

/* --- either family */

/* Finds the flow's bucket, and its way if the key is there. No bucket only if a map were smaller than its geometry. */
static __always_inline void flow_locate(const struct sluice_flow_key *key, __u32 vip_id, __u32 hash,
					struct flow_place *place)
{
	__u32 index;

	if (key->family == SLUICE_AF_INET) {
		index = flow_index(&flows4, hash);
		place->bucket4 = bpf_map_lookup_elem(&flows4, &index);
		place->key4 = flow4_key_word(key, vip_id);
		if (place->bucket4)
			flow4_find(place->bucket4, place->key4, place);
		return;
	}
	index = flow_index(&flows6, hash);
	place->bucket6 = bpf_map_lookup_elem(&flows6, &index);
	if (place->bucket6)
		flow6_find(place->bucket6, key, place);
}

/*
 * Whether the found place names a backend for this VIP (into *packed_backend): not when it is
 * another VIP's, nor when its backend and check disagree, i.e. another CPU is writing it or
 * wrote it at the same time as a third one (a miss: the flow is re-chosen and stored again).
 * An IPv4 key carries the VIP's id; the check also covers what the key leaves out (the flow
 * hash covers the destination), so a VIP id reused for another address fails it too.
 */
static __always_inline int flow_place_backend(const struct flow_place *place, __u32 vip_id, __u32 hash,
					      __u32 *packed_backend)
{
	__u32 packed, way;

	if (place->bucket4) {
		way = place->way4 & FLOW_WAY_MASK;
		packed = place->bucket4->backend_id[way];
		*packed_backend = packed;
		return place->bucket4->check[way] == flow_check(hash, packed);
	}
	if (!place->slot6)
		return 0;
	packed = place->slot6->backend_id;
	*packed_backend = packed;
	return place->slot6->vip_id == vip_id && place->slot6->check == flow_check(hash, packed);
}

/* Remembers the choice: over the found way (a stale entry of this key), else in a victim way. */
static __always_inline void flow_remember(struct flow_place *place, const struct sluice_flow_key *key,
					  __u32 packed_backend, __u32 vip_id, __u32 hash)
{
	struct sluice_flow_slot *slot;

	if (place->bucket4) {
		flow4_store(place->bucket4, place->found ? place->way4 : flow4_victim(place->bucket4),
			    place->key4, packed_backend, hash);
		return;
	}
	if (!place->bucket6)
		return;
	slot = place->found ? place->slot6 : flow6_victim(place->bucket6);
	flow6_store(slot, key, packed_backend, vip_id, hash);
}

#endif /* SLUICE_FLOW_CACHE_H */
