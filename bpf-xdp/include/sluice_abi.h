/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the XDP programs and the Java daemon: every map key,
 * map value and constant the daemon reads or writes is defined here, once.
 * The Java mirror lives in lb/src/main/java/io/sluice/lb/dataplane/ and a test
 * (DataplaneAbiBtfTest) checks it against the BTF of the compiled object, so
 * a change here that is not made on the Java side fails the build.
 *
 * Byte order: addresses and ports are network order (as on the wire);
 * every other integer is host order.
 */
#ifndef SLUICE_ABI_H
#define SLUICE_ABI_H

#include <linux/types.h>

/* Bumped on any incompatible change of a struct or map below. */
#define SLUICE_ABI_VERSION 11

/*
 * Map sizes. The flow cache is two tables (flows4, flows6c), each one table for all CPUs: by
 * default SLUICE_FLOW_BUCKETS buckets of SLUICE_FLOW_WAYS flows each; the daemon sets the
 * bucket count of both at load time.
 */
#define SLUICE_MAX_VIPS          1024
#define SLUICE_MAX_BACKENDS      16384
#define SLUICE_FLOW_WAYS         4
#define SLUICE_FLOW_BUCKETS      65536
#define SLUICE_FLOW_TABLE_SIZE   262144   /* flows in the object file's default = buckets x ways */
#define SLUICE_FLOW_BUCKETS_LOG2 16
#define SLUICE_MAGLEV_MAX_SIZE   655373   /* largest prime table size accepted */

/* Address families, the kernel's values. */
#define SLUICE_AF_INET   2
#define SLUICE_AF_INET6  10

/*
 * Maglev table layout (inner map of `maglev_tables`, BPF_MAP_TYPE_ARRAY u32 -> u32):
 * M + 1 entries: slot 0 holds the table size M, slots 1..M hold backend ids. The
 * program takes M from the inner map's size (one lookup per new flow, not two); either
 * way size and contents swap together in one outer-map update.
 */
#define SLUICE_MAGLEV_SIZE_SLOT   0
#define SLUICE_MAGLEV_FIRST_SLOT  1

/*
 * A table slot (and a flow-cache slot's backend_id) packs two backend ids: the owner in the
 * low 16 bits and, while the bucket's previous owner drains, that previous owner in bits
 * 16..30 with SLUICE_SLOT_PREV_VALID set ("second chance", docs/drain.md). Both swap
 * together with the table. Backend ids fit: SLUICE_MAX_BACKENDS <= SLUICE_SLOT_PREV_MASK + 1.
 */
#define SLUICE_SLOT_BACKEND_MASK  0xffff
#define SLUICE_SLOT_PREV_SHIFT    16
#define SLUICE_SLOT_PREV_MASK     0x7fff
#define SLUICE_SLOT_PREV_VALID    0x80000000

/*
 * The flow hash (hash.h): h = seed; per u64 word of struct sluice_flow_key (an IPv4 key: words
 * 0, 2, 4) h = (h ^ word) * MULT; then h ^= h >> 32, h *= FINAL_MULT, h ^= h >> FINAL_SHIFT;
 * the low 32 bits.
 */
#define SLUICE_HASH_SEED              0x5a17c3e1u
#define SLUICE_FLOW_HASH_MULT         0x9e3779b97f4a7c15ull   /* 2^64 / golden ratio, odd */
#define SLUICE_FLOW_HASH_FINAL_MULT   0xbf58476d1ce4e5b9ull   /* SplitMix64's first multiplier */
#define SLUICE_FLOW_HASH_FINAL_SHIFT  29

/*
 * vips map: BPF_MAP_TYPE_ARRAY, u32 bucket index -> struct sluice_vip_bucket; the VIP
 * {address, port, protocol} -> vip metadata table the program searches itself (vip_table.h),
 * so a lookup is an inlined array load and a few compares, not a hash map's helper call.
 * A VIP lives in one of two buckets of its SLUICE_VIP_HASH: h & (B - 1), or
 * (h >> 16) & (B - 1) (that xor 1 if both are the same). Each slot carries
 * check = h ^ vip_id ^ flags (SLUICE_VIP_CHECK): a slot the daemon is writing reads as no VIP.
 */
#define SLUICE_VIP_BUCKETS     1024
#define SLUICE_VIP_WAYS        4
#define SLUICE_VIP_HASH_MULT   0x9e3779b1u   /* hash: h = (h ^ word) * MULT, h ^= h >> 15, per key word */

struct sluice_vip_key {
	__be32 addr[4];      /* IPv4 in addr[0], addr[1..3] zero */
	__be16 port;
	__u8   proto;        /* IPPROTO_TCP or IPPROTO_UDP */
	__u8   family;       /* SLUICE_AF_INET or SLUICE_AF_INET6 */
};

#define SLUICE_VIP_F_NONE 0u

struct sluice_vip_meta {
	__u32 vip_id;        /* index into maglev_tables and vip_stats */
	__u32 flags;         /* SLUICE_VIP_F_* */
};

/* One VIP in the table; family 0 in the key marks an empty slot. */
struct sluice_vip_slot {
	__u32 check;
	struct sluice_vip_meta meta;
	struct sluice_vip_key key;
};

struct sluice_vip_bucket {
	struct sluice_vip_slot slot[SLUICE_VIP_WAYS];
};

/* backends map: backend id (u32 array index) -> backend */
#define SLUICE_BACKEND_F_IN_USE 0x1u

struct sluice_backend {
	__be32 addr[4];      /* IPv4 in addr[0] */
	__u8   family;
	__u8   flags;        /* SLUICE_BACKEND_F_* */
	__u16  owner_vip;    /* the vip id whose table this backend serves (daemon bookkeeping:
	                      * a server behind two VIPs has two ids, so each VIP's health acts alone) */
};

/*
 * The flow cache: two BPF_MAP_TYPE_ARRAYs, u32 index -> bucket, each one table shared by every
 * CPU: flows4 (struct sluice_flow4_bucket) for IPv4 flows, flows6c (struct sluice_flow6_bucket)
 * for IPv6 flows. Both have B buckets (B a power of two, at least SLUICE_FLOW_MIN_BUCKETS):
 *
 *   index = flow hash & (B - 1),   max_entries = B + log2(B)
 *
 * The low SLUICE_FLOW_LOG2_BITS bits of max_entries carry log2(B) (B is a multiple of
 * SLUICE_FLOW_MIN_BUCKETS, so they are otherwise zero; the last log2(B) entries are never
 * used). A flow lives in its bucket, in any of its ways, whichever CPU its packets run on.
 * Both maps are BPF_F_MMAPABLE (since ABI 8): the daemon counts, reads and clears buckets
 * through a shared mapping of the array (no syscall, no copy), bucket i at byte i x sizeof(bucket).
 */
#define SLUICE_FLOW_MAP_FLAGS    0x400u   /* BPF_F_MMAPABLE (1 << 10) */
#define SLUICE_FLOW_LOG2_BITS    5
#define SLUICE_FLOW_LOG2_MASK    ((1u << SLUICE_FLOW_LOG2_BITS) - 1)
#define SLUICE_FLOW_MIN_BUCKETS  (1u << SLUICE_FLOW_LOG2_BITS)
#define SLUICE_FLOW_MAP_ENTRIES  (SLUICE_FLOW_BUCKETS + SLUICE_FLOW_BUCKETS_LOG2)

/* A flow as the parser reads it: the hashed bytes (hash.h). */
struct sluice_flow_key {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8   proto;
	__u8   family;
	__u16  pad;          /* always zero: part of the hashed bytes */
};

/*
 * A remembered flow's key (ABI 9 for IPv4, ABI 10 for IPv6): the VIP's id stands for the
 * destination address, port and protocol, so a key is the client's address and port and that
 * id. vip_tag = vip id | SLUICE_FLOW_TAG_IN_USE; 0 marks an empty way. An IPv4 key is 8 bytes,
 * compared as one u64; an IPv6 key 24, compared as three.
 */
#define SLUICE_FLOW_TAG_IN_USE   0x8000
#define SLUICE_FLOW_TAG_VIP_MASK 0x7fff

struct sluice_flow4_key {
	__be32 src;
	__be16 sport;
	__u16  vip_tag;
};

struct sluice_flow6_key {
	__be32 src[4];
	__be16 sport;
	__u16  vip_tag;
	__u32  pad;          /* always zero: compared with the rest */
};

/*
 * A bucket stores its ways member by member, not way by way, so that a lookup reads the keys
 * first and touches as few cache lines as possible (the array's values start page-aligned).
 * Way i is key[i], backend_id[i] (packed like a table slot), check[i] and table_epoch[i]:
 * CPUs write ways without a lock, and the check ties the backend to the key (((flow hash >> 16)
 * ^ backend_id) & 0xffff; it covers the bytes the key leaves out, the destination among them, as
 * the flow hash does), so a way two CPUs wrote at once reads as a miss, never as another flow's
 * backend. Ways fill in order; once full, next_victim is replaced (FIFO) and advances.
 *
 * table_epoch (ABI 11) names the VIP's table the way last agreed with: SLUICE_TABLE_EPOCH() of
 * the inner Maglev map's kernel id (every table swap installs a new map). While it matches, the
 * table has not changed since; when it does not, the program reads the flow's slot, and if the
 * table now gives the bucket to another backend it sends the packet to the remembered backend
 * with the table's owner as second chance (a stale entry of a reused 5-tuple, docs/drain.md).
 *
 * flows4: one 64-byte cache line.
 */
#define SLUICE_TABLE_EPOCH_MULT  0x9e3779b1u  /* spreads sequential map ids over the byte */
#define SLUICE_TABLE_EPOCH_SHIFT 24
#define SLUICE_TABLE_EPOCH(map_id) ((__u8)(((__u32)(map_id) * SLUICE_TABLE_EPOCH_MULT) >> SLUICE_TABLE_EPOCH_SHIFT))

struct sluice_flow4_bucket {
	struct sluice_flow4_key key[SLUICE_FLOW_WAYS];
	__u32 backend_id[SLUICE_FLOW_WAYS];
	__u16 check[SLUICE_FLOW_WAYS];
	__u16 next_victim;
	__u8  table_epoch[SLUICE_FLOW_WAYS];
	__u16 pad;           /* the line's last bytes, always zero */
};

/* flows6c: two 64-byte cache lines (ABI 10; until ABI 9 four whole 5-tuples in 200 bytes). */
struct sluice_flow6_bucket {
	struct sluice_flow6_key key[SLUICE_FLOW_WAYS];
	__u32 backend_id[SLUICE_FLOW_WAYS];
	__u16 check[SLUICE_FLOW_WAYS];
	__u16 next_victim;
	__u8  table_epoch[SLUICE_FLOW_WAYS];
	__u16 pad;           /* the second line's last bytes, always zero */
};

/* lb_config map: a one-entry array, key 0 */
struct sluice_config {
	__u8   gateway_mac[6];   /* next hop of every encapsulated packet */
	__u16  mtu;              /* largest outer IP packet allowed; bigger -> ICMP too-big */
	__be32 encap_src4;       /* outer IPv4 source = encap_src4 | (flow hash & encap_src4_vary) */
	__be32 encap_src4_vary;
	__be32 encap_src6[4];    /* outer IPv6 source; word 3 varied by encap_src6_vary */
	__be32 encap_src6_vary;
	__u32  flags;
};

/* vip_stats and backend_stats: per-CPU arrays indexed by vip id / backend id */
struct sluice_traffic {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows;         /* flow-table misses that chose this VIP / backend */
	__u64 second_chance;     /* backends: packets sent naming it as the draining previous owner
	                          * (flows the balancer did not see start: the drain's activity) */
};

/* reasons (until ABI 10 reason_stats): per-CPU array of __u64 packet counts indexed by enum sluice_reason */
enum sluice_reason {
	SLUICE_PASS_NOT_IP = 0,      /* ARP, LLDP, ...: not ours */
	SLUICE_PASS_NOT_VIP,         /* IP traffic to an address/port/proto that is no VIP */
	SLUICE_TX_FORWARDED,         /* encapsulated to a backend and sent */
	SLUICE_TX_ICMP_TOO_BIG,      /* too big after encapsulation: ICMP sent back to the client */
	SLUICE_DROP_TRUNCATED,       /* headers shorter than they claim */
	SLUICE_DROP_FRAGMENT,        /* IPv4 fragment or IPv6 fragment header to a VIP */
	SLUICE_DROP_NO_BACKEND,      /* VIP without a table or with an empty slot */
	SLUICE_DROP_BAD_BACKEND,     /* table points at a backend id not in use */
	SLUICE_DROP_ENCAP_FAILED,    /* no headroom for the outer header */
	SLUICE_DROP_NO_CONFIG,       /* lb_config not written yet */
	SLUICE_FLOW_HIT,             /* informational: established flow found in the flow table */
	SLUICE_FLOW_MISS,            /* informational: new flow, chosen by the Maglev table */
	SLUICE_IPV4_OPTIONS,         /* informational: IPv4 packet with options forwarded */
	SLUICE_DROP_DENY_LIST,       /* DoS: source in a deny-listed prefix */
	SLUICE_DROP_SOURCE_RATE,     /* DoS: source over its packet rate to VIPs */
	SLUICE_DROP_SOURCE_FLOW_RATE,/* DoS: source over its new-flow rate */
	SLUICE_DROP_VIP_FLOW_CEILING,/* DoS: VIP over its new-flow ceiling */
	SLUICE_DROP_TCP_FLAGS,       /* DoS: invalid TCP flag combination to a VIP */
	SLUICE_DROP_REFLECTION,      /* DoS: UDP to a VIP from a reflection source port */
	SLUICE_PASS_FRAGMENT,        /* DoS: fragment to a VIP whose policy passes them to the host */
	SLUICE_DOS_ALLOWED,          /* informational: source on the allow list (no deny, no rate limit) */
	SLUICE_TX_SECOND_CHANCE,     /* informational: forwarded naming the bucket's draining previous owner */
	SLUICE_FLOW_SYN_REPLACED,    /* informational: a TCP SYN found its 5-tuple remembered (a retransmitted SYN, a reused port) and replaced the entry */
	SLUICE_FLOW_MOVED,           /* informational: a remembered flow's bucket has another owner in the table now: sent to the remembered backend, naming the table's owner as second chance */
	SLUICE_FLOW_MOVED_ALONE,     /* informational: the same, but two layers would exceed the MTU: sent to the remembered backend alone */
	SLUICE_REASON_MAX,
};

/* reasons' max_entries (ABI 11): room for reasons to come, so adding one keeps the pinned map. */
#define SLUICE_REASON_SLOTS 64

/* decap_stats (backend side): per-CPU array of __u64 indexed by enum sluice_decap_reason */
enum sluice_decap_reason {
	SLUICE_DECAP_PASS_NOT_ENCAP = 0,
	SLUICE_DECAP_DONE,
	SLUICE_DECAP_DROP_TRUNCATED,
	SLUICE_DECAP_SECOND_CHANCE_LOCAL,   /* two layers, the flow is ours (socket or SYN): both stripped */
	SLUICE_DECAP_SECOND_CHANCE_FORWARD, /* two layers, not ours: outer stripped, sent on to the previous owner */
	SLUICE_DECAP_REASON_MAX,
};

#include "dos_abi.h"

#endif /* SLUICE_ABI_H */
