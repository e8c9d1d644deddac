/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-CPU counters: plain increments, no atomics needed (one writer per CPU). */
#ifndef SLUICE_STATS_H
#define SLUICE_STATS_H

#include "maps.h"

static __always_inline void count_reason(enum sluice_reason reason)
{
	__u64 *count = bpf_map_lookup_elem(&reasons, &reason);

	if (count)
		*count += 1;
}

static __always_inline void count_traffic(void *stats_map, __u32 index, __u64 bytes)
{
	struct sluice_traffic *t = bpf_map_lookup_elem(stats_map, &index);

	if (!t)
		return;
	t->packets += 1;
	t->bytes += bytes;
}

static __always_inline void count_new_flow(void *stats_map, __u32 index)
{
	struct sluice_traffic *t = bpf_map_lookup_elem(stats_map, &index);

	if (t)
		t->new_flows += 1;
}

static __always_inline void count_second_chance(__u32 backend_id)
{
	struct sluice_traffic *t = bpf_map_lookup_elem(&backend_stats, &backend_id);

	if (t)
		t->second_chance += 1;
}

#endif /* SLUICE_STATS_H */
