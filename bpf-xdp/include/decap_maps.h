/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The decap program's only map: per-CPU counters by enum sluice_decap_reason. */
#ifndef SLUICE_DECAP_MAPS_H
#define SLUICE_DECAP_MAPS_H

#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_DECAP_REASON_MAX);
	__type(key, __u32);
	__type(value, __u64);
} decap_stats SEC(".maps");

static __always_inline void count_decap(enum sluice_decap_reason reason)
{
	__u64 *count = bpf_map_lookup_elem(&decap_stats, &reason);

	if (count)
		*count += 1;
}

#endif /* SLUICE_DECAP_MAPS_H */
