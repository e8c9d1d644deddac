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
 * A key is the client's address and port and the VIP's id, since the id stands for everything
 * else of the 5-tuple: IPv4 flows live in flows4, whose key is 8 bytes (one compare) and whose
 * bucket is one cache line; IPv6 flows in flows6c, 24-byte keys (three compares), two lines.
 */
#ifndef SLUICE_FLOW_CACHE_H
#define SLUICE_FLOW_CACHE_H

#include "maps.h"

#define FLOW_WAY_MASK  (SLUICE_FLOW_WAYS - 1)
#define CACHE_LINE     64
#define FLOW6_KEY_U64S (sizeof(struct sluice_flow6_key) / sizeof(__u64))

_Static_assert((SLUICE_FLOW_WAYS & FLOW_WAY_MASK) == 0, "ways must be a power of two");
_Static_assert(sizeof(struct sluice_flow4_key) == sizeof(__u64), "an IPv4 key is compared as one u64");
_Static_assert(sizeof(struct sluice_flow6_key) == 3 * sizeof(__u64), "an IPv6 key is compared as three u64s");
_Static_assert(sizeof(struct sluice_flow4_bucket) == CACHE_LINE, "an IPv4 bucket is one cache line");
_Static_assert(sizeof(struct sluice_flow6_bucket) == 2 * CACHE_LINE, "an IPv6 bucket is two cache lines");
_Static_assert(SLUICE_FLOW_BUCKETS == 1u << SLUICE_FLOW_BUCKETS_LOG2, "default bucket count and its log2");
_Static_assert(SLUICE_FLOW_TABLE_SIZE == SLUICE_FLOW_BUCKETS * SLUICE_FLOW_WAYS, "table size = buckets x ways");
_Static_assert(SLUICE_MAX_VIPS - 1 <= SLUICE_FLOW_TAG_VIP_MASK, "a vip id fits a key's tag");
_Static_assert((SLUICE_FLOW_TAG_IN_USE & SLUICE_FLOW_TAG_VIP_MASK) == 0, "the in-use bit is not a vip id bit");

/*
 * The kernel's struct bpf_map, only the fields read here (CO-RE relocated against the
 * running kernel's BTF). A flow table's geometry is the map's own max_entries, set by the
 * loader (sluice_abi.h): it can never disagree with the map, and a daemon that adopts the
 * pinned maps has nothing to restore. A Maglev table's id names it for table_epoch.
 */
struct bpf_map___sluice {
	__u32 max_entries;
	__u32 id;
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

static __always_inline __u16 flow_vip_tag(__u32 vip_id)
{
	return (__u16)(vip_id | SLUICE_FLOW_TAG_IN_USE);
}

/*
 * Where a flow is remembered, or will be: a way of a flows4 bucket (IPv4) or of a flows6c
 * bucket (IPv6), and the flow's key as the u64 words it is compared and stored as (one for
 * IPv4, three for IPv6), made once for find and store. `found`: the way holds this flow's key
 * (its backend still to be checked).
 */
struct flow_place {
	struct sluice_flow4_bucket *bucket4;
	__u64 key4;
	struct sluice_flow6_bucket *bucket6;
	__u64 key6[FLOW6_KEY_U64S];
	__u32 way;
	int found;
};

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
			.vip_tag = flow_vip_tag(vip_id),
		},
	};

	return k.word;
}

/* An IPv6 key's last word: the port, the tag, the zero pad (words 0 and 1 are the address's). */
static __always_inline __u64 flow6_key_tail(const struct sluice_flow_key *key, __u32 vip_id)
{
	union {
		struct {
			__be16 sport;
			__u16  vip_tag;
			__u32  pad;
		} tail;
		__u64 word;
	} k = {
		.tail = {
			.sport = key->sport,
			.vip_tag = flow_vip_tag(vip_id),
		},
	};

	return k.word;
}

_Static_assert(__builtin_offsetof(struct sluice_flow6_key, sport) == 2 * sizeof(__u64),
	       "an IPv6 key's third word starts at its port");

/* --- flows4: IPv4, one cache line per bucket */

static __always_inline void flow4_find(struct sluice_flow4_bucket *bucket, __u64 word, struct flow_place *place)
{
	const __u64 *keys = (const __u64 *)bucket->key;

#pragma unroll
	for (__u32 way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (keys[way] == word) {
			place->way = way;
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

/*
 * Epoch and check first, key (one 8-byte store) next, backend last (the compiler barriers keep
 * that order; x86 keeps stores in order): a CPU that reads the way meanwhile and sees this key
 * complete sees either this backend or the way's earlier one, and the earlier one fails this
 * check unless it is the same backend. An epoch read with the earlier key costs at most one
 * needless (or one skipped) look at the table for a flow that is being replaced.
 */
static __always_inline void flow4_store(struct sluice_flow4_bucket *bucket, __u32 way, __u64 word,
					__u32 packed_backend, __u32 hash, __u8 epoch)
{
	way &= FLOW_WAY_MASK;
	bucket->table_epoch[way] = epoch;
	bucket->check[way] = flow_check(hash, packed_backend);
	__asm__ __volatile__("" ::: "memory");
	((__u64 *)bucket->key)[way] = word;
	__asm__ __volatile__("" ::: "memory");
	bucket->backend_id[way] = packed_backend;
}

/* --- flows6c: IPv6, two cache lines per bucket */

static __always_inline int flow6_key_equal(const struct sluice_flow6_key *stored, const __u64 *words)
{
	const __u64 *k = (const __u64 *)stored;

	return ((k[0] ^ words[0]) | (k[1] ^ words[1]) | (k[2] ^ words[2])) == 0;
}

static __always_inline void flow6_find(struct sluice_flow6_bucket *bucket, struct flow_place *place)
{
#pragma unroll
	for (__u32 way = 0; way < SLUICE_FLOW_WAYS; way++) {
		if (flow6_key_equal(&bucket->key[way], place->key6)) {
			place->way = way;
			place->found = 1;
			return;
		}
	}
}

/* Where a new IPv6 flow goes: the first empty way, else the oldest (FIFO) way, which is evicted. */
static __always_inline __u32 flow6_victim(struct sluice_flow6_bucket *bucket)
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

/* Epoch and check first, key next (three 8-byte stores), backend last: see flow4_store. */
static __always_inline void flow6_store(struct sluice_flow6_bucket *bucket, __u32 way,
					const struct flow_place *place, __u32 packed_backend, __u32 hash,
					__u8 epoch)
{
	__u64 *to;

	way &= FLOW_WAY_MASK;
	to = (__u64 *)&bucket->key[way];
	bucket->table_epoch[way] = epoch;
	bucket->check[way] = flow_check(hash, packed_backend);
	__asm__ __volatile__("" ::: "memory");
	to[0] = place->key6[0];
	to[1] = place->key6[1];
	to[2] = place->key6[2];
	__asm__ __volatile__("" ::: "memory");
	bucket->backend_id[way] = packed_backend;
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
	index = flow_index(&flows6c, hash);
	place->bucket6 = bpf_map_lookup_elem(&flows6c, &index);
	place->key6[0] = ((const __u64 *)key->src)[0];   /* the parser keeps the key u64-aligned (hash.h) */
	place->key6[1] = ((const __u64 *)key->src)[1];
	place->key6[2] = flow6_key_tail(key, vip_id);
	if (place->bucket6)
		flow6_find(place->bucket6, place);
}

/*
 * Whether the found way names a backend for this flow (into *packed_backend): not when its
 * backend and check disagree, i.e. another CPU is writing it or wrote it at the same time as a
 * third one (a miss: the flow is re-chosen and stored again). The key carries the VIP's id; the
 * check also covers what the key leaves out (the flow hash covers the destination), so a VIP id
 * reused for another address fails it too.
 */
static __always_inline int flow_place_backend(const struct flow_place *place, __u32 hash, __u32 *packed_backend)
{
	__u32 way = place->way & FLOW_WAY_MASK;
	__u32 packed;
	__u16 check;

	if (place->bucket4) {
		packed = place->bucket4->backend_id[way];
		check = place->bucket4->check[way];
	} else if (place->bucket6) {
		packed = place->bucket6->backend_id[way];
		check = place->bucket6->check[way];
	} else {
		return 0;
	}
	*packed_backend = packed;
	return check == flow_check(hash, packed);
}

/* The found way's table_epoch: which table the way last agreed with (sluice_abi.h). */
static __always_inline __u8 flow_place_epoch(const struct flow_place *place)
{
	__u32 way = place->way & FLOW_WAY_MASK;

	if (place->bucket4)
		return place->bucket4->table_epoch[way];
	if (place->bucket6)
		return place->bucket6->table_epoch[way];
	return 0;
}

/* The found way agrees with the table of this epoch: the next packets skip the table. */
static __always_inline void flow_place_set_epoch(const struct flow_place *place, __u8 epoch)
{
	__u32 way = place->way & FLOW_WAY_MASK;

	if (place->bucket4)
		place->bucket4->table_epoch[way] = epoch;
	else if (place->bucket6)
		place->bucket6->table_epoch[way] = epoch;
}

/*
 * Remembers the choice, made from the table of this epoch: over the found way (a stale entry of
 * this key), else in a victim way.
 */
static __always_inline void flow_remember(struct flow_place *place, __u32 packed_backend, __u32 hash,
					  __u8 epoch)
{
	if (place->bucket4) {
		flow4_store(place->bucket4, place->found ? place->way : flow4_victim(place->bucket4),
			    place->key4, packed_backend, hash, epoch);
		return;
	}
	if (place->bucket6)
		flow6_store(place->bucket6, place->found ? place->way : flow6_victim(place->bucket6),
			    place, packed_backend, hash, epoch);
}

#endif /* SLUICE_FLOW_CACHE_H */
