/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The DoS stage's maps (types in dos_abi.h). Rules and limits live here, so changing them is a map update. */
#ifndef SLUICE_DOS_MAPS_H
#define SLUICE_DOS_MAPS_H

#include "common.h"

#define DOS_REFLECTION_WORDS (65536 / 64)   /* one bit per UDP source port */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sluice_dos_config);
} dos_config SEC(".maps");

/* Allow lists: the value is unused (kept a u32 so both list kinds look alike). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SLUICE_DOS_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sluice_dos_lpm4);
	__type(value, __u32);
} dos_allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SLUICE_DOS_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sluice_dos_lpm6);
	__type(value, __u32);
} dos_allow6 SEC(".maps");

/* Deny lists: the value is the entry's id, its index in dos_deny_hits. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SLUICE_DOS_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sluice_dos_lpm4);
	__type(value, __u32);
} dos_deny4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SLUICE_DOS_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sluice_dos_lpm6);
	__type(value, __u32);
} dos_deny6 SEC(".maps");

/* Packets dropped per deny entry, per CPU (no shared cache line under a flood). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLUICE_DOS_MAX_DENY_IDS);
	__type(key, __u32);
	__type(value, __u64);
} dos_deny_hits SEC(".maps");

/* IPv4 allow-list pre-filter bitmap (see dos_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_DOS_PREFILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} dos_allow_prefilter4 SEC(".maps");

/* IPv4 deny list by /24 (see dos_abi.h): 64 MiB, one load instead of a trie walk. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_DOS_DENY24_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} dos_deny24 SEC(".maps");

/* Reflection source ports: bit (port & 63) of word (port >> 6). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DOS_REFLECTION_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} dos_reflection_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct sluice_dos_vip);
} dos_vips SEC(".maps");

/* GCRA state of each VIP's new-flow ceiling (program-written, kept apart from the daemon's config). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLUICE_MAX_VIPS);
	__type(key, __u32);
	__type(value, __u64);
} dos_vip_flow_state SEC(".maps");

/*
 * Per-source state. LRU: a spoofed flood evicts the least recently seen sources instead of
 * filling the map; BPF_F_NO_COMMON_LRU gives each CPU its own LRU list (no shared lock).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SLUICE_DOS_MAX_SOURCES);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct sluice_dos_source_key);
	__type(value, struct sluice_dos_source);
} dos_sources SEC(".maps");

#endif /* SLUICE_DOS_MAPS_H */
