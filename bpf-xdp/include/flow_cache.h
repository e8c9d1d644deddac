/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow cache: a set-associative table of buckets of SLUICE_FLOW_WAYS slots, one
 * region of the flows array per CPU. The array lookup is inlined by the verifier, the
 * CPU number read is inlined too, and XDP runs one packet at a time per CPU, so a hit
 * is a few loads and compares and an insert a few stores: no helper call, no lock, no
 * kernel LRU bookkeeping. A plain array indexed by CPU instead of a per-CPU array saves
 * the dependent load of the per-CPU pointer table (8 bytes per bucket: a cache miss of
 * its own for a new flow).
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

/*
 * The kernel's struct bpf_map, only the field read here (CO-RE relocated against the
 * running kernel's BTF). The geometry is the map's own max_entries, set by the loader
 * (sluice_abi.h): it can never disagree with the map, and a daemon that adopts the
 * pinned maps has nothing to restore.
 */
struct bpf_map___sluice {
	__u32 max_entries;
} __attribute__((preserve_access_index));

/*
 * This CPU's bucket for the hash, or NULL when the CPU has no region (a CPU number
 * beyond the possible CPUs the loader counted): such packets are balanced by Maglev
 * alone, which picks the same backend while the table is unchanged.
 */
static __always_inline struct sluice_flow_bucket *flow_bucket(__u32 hash)
{
	__u32 log2_buckets = ((struct bpf_map___sluice *)&flows)->max_entries & SLUICE_FLOW_LOG2_MASK;
	__u32 bucket = hash & ((1u << log2_buckets) - 1);
	__u32 index = (bpf_get_smp_processor_id() << log2_buckets) | bucket;

	return bpf_map_lookup_elem(&flows, &index);
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

static __always_inline void flow_store(struct sluice_flow_slot *slot, const struct sluice_flow_key *key,
				       __u32 packed_backend, __u32 vip_id)
{
	__u64 *to = (__u64 *)&slot->key;
	const __u64 *from = (const __u64 *)key;

#pragma unroll
	for (int i = 0; i < FLOW_KEY_U64S; i++)
		to[i] = from[i];
	slot->backend_id = packed_backend;
	slot->vip_id = vip_id;
}

/*
 * The other CPUs' regions, searched only when this CPU's bucket misses a TCP packet that does
 * not open a flow. With NIC RSS a flow's packets meet one CPU and this never runs for it; when
 * a flow does change CPU (veth, whose packets run on the sending CPU; an RSS indirection change),
 * its entry on the old CPU still names its backend, so a table change in between does not send
 * it to the bucket's new owner, which would reset it. bpf_loop keeps the verifier's work
 * independent of the CPU count. UDP is not searched: each new UDP flow would pay the search.
 */
#define FLOW_SEARCH_MAX_CPUS 4096

struct flow_search {
	struct sluice_flow_key key;
	__u32 log2_buckets;
	__u32 bucket;
	__u32 own_cpu;
	__u32 vip_id;
	__u32 packed_backend;
	__u32 found;
};

static long flow_search_cpu(__u64 cpu, void *data)
{
	struct flow_search *search = data;
	struct sluice_flow_bucket *bucket;
	struct sluice_flow_slot *slot;
	__u32 index;

	if (cpu == search->own_cpu)
		return 0;
	index = ((__u32)cpu << (search->log2_buckets & SLUICE_FLOW_LOG2_MASK)) | search->bucket;
	bucket = bpf_map_lookup_elem(&flows, &index);
	if (!bucket)
		return 1; /* past the last region */
	slot = flow_find(bucket, &search->key);
	if (!slot || slot->vip_id != search->vip_id)
		return 0;
	search->packed_backend = slot->backend_id;
	search->found = 1;
	return 1;
}

/* The packed backend another CPU remembers for this flow; 0 when none does. */
static __always_inline int flow_find_elsewhere(__u32 hash, const struct sluice_flow_key *key, __u32 vip_id,
					       __u32 *packed_backend)
{
	__u32 max_entries = ((struct bpf_map___sluice *)&flows)->max_entries;
	struct flow_search search = {
		.log2_buckets = max_entries & SLUICE_FLOW_LOG2_MASK,
		.own_cpu = bpf_get_smp_processor_id(),
		.vip_id = vip_id,
	};
	__u32 cpus;

	search.bucket = hash & ((1u << search.log2_buckets) - 1);
	cpus = max_entries >> search.log2_buckets;
	__builtin_memcpy(&search.key, key, sizeof(search.key));
	bpf_loop(cpus < FLOW_SEARCH_MAX_CPUS ? cpus : FLOW_SEARCH_MAX_CPUS, flow_search_cpu, &search, 0);
	*packed_backend = search.packed_backend;
	return search.found;
}

/*
 * A TCP SYN starts a new flow, and every entry of its 5-tuple on another CPU is an earlier
 * connection's: a client reuses a source port within seconds, and where that earlier connection
 * ran on a CPU this SYN's does not (veth; an RSS change), its entry would still name the earlier
 * backend. After a table change that backend is not the new flow's, and the first packet of the
 * new flow to run on that CPU would hit the entry and reach a backend that has no such connection
 * (a reset). So the SYN makes the other CPUs forget the 5-tuple. The slot is emptied with one
 * 8-byte store of the word holding `family` (never written with the backend: if that CPU
 * reuses the slot for another flow at the same instant, the worst case is that flow being
 * forgotten, as an eviction would). Costs a look at one bucket per other CPU, only for SYNs.
 */
_Static_assert(__builtin_offsetof(struct sluice_flow_key, family) / sizeof(__u64) == FLOW_KEY_U64S - 1,
	       "family lives in the key's last u64 word");

struct flow_forget {
	struct sluice_flow_key key;
	__u32 log2_buckets;
	__u32 bucket;
	__u32 own_cpu;
	__u32 forgotten;
};

static long flow_forget_cpu(__u64 cpu, void *data)
{
	struct flow_forget *forget = data;
	struct sluice_flow_bucket *bucket;
	struct sluice_flow_slot *slot;
	__u32 index;

	if (cpu == forget->own_cpu)
		return 0;
	index = ((__u32)cpu << (forget->log2_buckets & SLUICE_FLOW_LOG2_MASK)) | forget->bucket;
	bucket = bpf_map_lookup_elem(&flows, &index);
	if (!bucket)
		return 1; /* past the last region */
	slot = flow_find(bucket, &forget->key);
	if (slot) {
		((__u64 *)&slot->key)[FLOW_KEY_U64S - 1] = 0;
		forget->forgotten++;
	}
	return 0;
}

/* How many other CPUs remembered the 5-tuple (and now no longer do). */
static __always_inline __u32 flow_forget_elsewhere(__u32 hash, const struct sluice_flow_key *key)
{
	__u32 max_entries = ((struct bpf_map___sluice *)&flows)->max_entries;
	struct flow_forget forget = {
		.log2_buckets = max_entries & SLUICE_FLOW_LOG2_MASK,
		.own_cpu = bpf_get_smp_processor_id(),
	};
	__u32 cpus;

	forget.bucket = hash & ((1u << forget.log2_buckets) - 1);
	cpus = max_entries >> forget.log2_buckets;
	if (cpus < 2)
		return 0;
	__builtin_memcpy(&forget.key, key, sizeof(forget.key));
	bpf_loop(cpus < FLOW_SEARCH_MAX_CPUS ? cpus : FLOW_SEARCH_MAX_CPUS, flow_forget_cpu, &forget, 0);
	return forget.forgotten;
}

#endif /* SLUICE_FLOW_CACHE_H */
