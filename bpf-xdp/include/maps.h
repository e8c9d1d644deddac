/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The balancer's maps, named and typed exactly as in sluice_abi.h. No pinning is
 * declared here: the daemon chooses the pin directory (one per LB host).
 */
#ifndef SLUICE_MAPS_H
#define SLUICE_MAPS_H

#include "common.h"

/* Inner-map template for maglev_tables. BPF_F_INNER_MAP lets the daemon insert
 * tables of any size, so this template's size is irrelevant and kept tiny. */
#define MAGLEV_TEMPLATE_ENTRIES 2

/* The VIP table (vip_table.h): searched by the program, so the lookup is inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_VIP_BUCKETS);
	__type(key, __u32);
	__type(value, struct sluice_vip_bucket);
} vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct sluice_backend);
} backends SEC(".maps");

struct maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAGLEV_TEMPLATE_ENTRIES);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SLUICE_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct maglev_table);
} maglev_tables SEC(".maps");

_Static_assert(SLUICE_FLOW_MAP_FLAGS == BPF_F_MMAPABLE, "the ABI's flows map flag is the kernel's");

/* The flow cache, one table per address family, each one table for every CPU (see
 * sluice_abi.h): lookups are inlined array loads, no lock. Mmapable: the daemon reads them
 * without copying them out. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_FLOW_MAP_ENTRIES);
	__uint(map_flags, SLUICE_FLOW_MAP_FLAGS);
	__type(key, __u32);
	__type(value, struct sluice_flow4_bucket);
} flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_FLOW_MAP_ENTRIES);
	__uint(map_flags, SLUICE_FLOW_MAP_FLAGS);
	__type(key, __u32);
	__type(value, struct sluice_flow6_bucket);
} flows6c SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_config);
} lb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct sluice_traffic);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct sluice_traffic);
} backend_stats SEC(".maps");

_Static_assert(SLUICE_REASON_MAX <= SLUICE_REASON_SLOTS, "every reason has a slot in reasons");

/* Indexed by enum sluice_reason (array keys must be plain u32 in BTF). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_REASON_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

#endif /* SLUICE_MAPS_H */
