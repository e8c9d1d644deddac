/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The DoS stage's part of the contract with the daemon (included by sluice_abi.h):
 * the maps' keys and values and their limits. The Java mirror is in
 * lb/src/main/java/io/sluice/lb/dataplane/Dos*.java, checked by DataplaneAbiBtfTest.
 * See docs/dos.md for what each rule does.
 */
#ifndef SLUICE_DOS_ABI_H
#define SLUICE_DOS_ABI_H

#include <linux/types.h>

/* Prefixes per list and family (allow4, allow6, deny4, deny6 LPM tries). */
#define SLUICE_DOS_MAX_PREFIXES     131072
/* Deny entries of both families share one id space for their hit counters. */
#define SLUICE_DOS_MAX_DENY_IDS     262144
/* Sources whose rates are tracked at once (LRU: the least recently seen are evicted). */
#define SLUICE_DOS_MAX_SOURCES      65536
/* IPv6 sources are tracked (and auto-blocked) per /64: one host owns at least that much. */
#define SLUICE_DOS_V6_SOURCE_PREFIX 64
/* UDP source ports a VIP may accept although they are on the reflection list. */
#define SLUICE_DOS_VIP_PORTS        4

/*
 * IPv4 allow-list pre-filter (dos_allow_prefilter4): one bit per /24 of the address space,
 * set when some allow prefix covers part of that /24; a clear bit skips the LPM lookup.
 * Word of an address (host order) = addr >> 14, bit = (addr >> 8) & 63.
 */
#define SLUICE_DOS_PREFILTER_WORDS  262144

/*
 * IPv4 deny list, direct-indexed by /24 (dos_deny24, index = addr >> 8): 0 = no deny
 * prefix touches this /24; id + 1 = a prefix of length <= 24 covers it (the longest such,
 * the packet is dropped without an LPM walk); SLUICE_DOS_DENY24_LPM = a longer prefix lies
 * inside: the LPM trie decides. A kernel LPM walk over 100,000 prefixes costs ~80 ns.
 */
#define SLUICE_DOS_DENY24_ENTRIES   16777216
#define SLUICE_DOS_DENY24_LPM       0xffffffff

/* struct sluice_dos_config.flags */
#define SLUICE_DOS_F_TCP_FLAGS      0x1u  /* drop invalid TCP flag combinations to VIPs */
#define SLUICE_DOS_F_REFLECTION     0x2u  /* drop UDP to VIPs from reflection source ports */
#define SLUICE_DOS_F_TRACK_SOURCES  0x4u  /* keep per-source state (rate limits, auto-mitigation) */
#define SLUICE_DOS_F_VIP_CEILINGS   0x8u  /* some VIP has a new-flow ceiling */

/* struct sluice_dos_vip.flags */
#define SLUICE_DOS_VIP_F_PASS_FRAGMENTS 0x1u  /* fragments to this VIP go to the host stack */

/* LPM keys: prefix length, then the address in network order. */
struct sluice_dos_lpm4 {
	__u32 prefixlen;
	__be32 addr;
};

struct sluice_dos_lpm6 {
	__u32 prefixlen;
	__be32 addr[4];
};

/*
 * A token bucket as GCRA (virtual scheduling): a packet conforms when the bucket's
 * theoretical arrival time is at most now + tolerance, and then moves it to
 * max(tat, now) + interval. Same decisions as a bucket of `burst` tokens refilled at
 * `rate` per second, in one u64 of state that CPUs update with compare-and-swap.
 */
struct sluice_dos_rate {
	__u64 interval_ns;   /* 1e9 / rate; 0 = no limit */
	__u64 tolerance_ns;  /* (burst - 1) * interval_ns, at least one clock tick */
	__u32 rate;          /* per second (for readers; the program uses the two above) */
	__u32 burst;
};

/* dos_config: one-entry array, key 0. All zero = the stage does nothing. */
struct sluice_dos_config {
	__u32 flags;          /* SLUICE_DOS_F_* */
	__u32 allow4;         /* entries in each list: 0 skips its lookup */
	__u32 allow6;
	__u32 deny4;
	__u32 deny6;
	__u32 pad;
	struct sluice_dos_rate source_packets;  /* per source, every packet to a VIP */
	struct sluice_dos_rate source_flows;    /* per source, new flows (TCP SYN, new UDP flow) */
};

/* dos_vips: array indexed by vip id, written by the daemon. */
struct sluice_dos_vip {
	struct sluice_dos_rate new_flows;       /* VIP-wide new-flow ceiling */
	__u32 flags;                            /* SLUICE_DOS_VIP_F_* */
	__be16 reflection_ports[SLUICE_DOS_VIP_PORTS];  /* accepted UDP source ports, 0 = none */
	__u32 pad;
};

/* dos_sources: LRU hash of per-source state. */
struct sluice_dos_source_key {
	__be32 addr[4];       /* IPv4 in addr[0]; IPv6 masked to SLUICE_DOS_V6_SOURCE_PREFIX */
	__u8   family;
	__u8   pad[3];
};

struct sluice_dos_source {
	__u64 packet_tat;     /* GCRA state of the packet bucket (CLOCK_MONOTONIC_COARSE) */
	__u64 flow_tat;       /* GCRA state of the new-flow bucket */
	__u64 packets;        /* packets to VIPs seen (the daemon derives rates from it) */
	__u64 new_flows;
	__u64 dropped;        /* dropped by either rate limit */
};

#endif /* SLUICE_DOS_ABI_H */
