/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The flow hash over struct sluice_flow_key (ABI 7): multiply-xor over the key's five u64
 * words (little-endian, as on x86 and bpfel), then a 64-bit finaliser; the low 32 bits are
 * the hash. The Java mirror io.sluice.lb.dataplane.FlowHash must produce the same value for
 * the same bytes. It replaced MurmurHash3_x86_32 (ten 32-bit rounds, each with rotates the BPF
 * ISA lacks): a fifth of an established packet; a third of an IPv6 one (docs/BENCHMARKS.md).
 */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include "common.h"

#define FLOW_KEY_WORDS64 (sizeof(struct sluice_flow_key) / sizeof(__u64))

_Static_assert(sizeof(struct sluice_flow_key) == 40, "flow key is hashed as five u64 words");

/* Word i is xored in, then the state multiplied by SLUICE_FLOW_HASH_MULT (odd: a bijection). */
static __always_inline __u64 flow_hash_mix(__u64 h, __u64 word)
{
	return (h ^ word) * SLUICE_FLOW_HASH_MULT;
}

/* High bits down, multiply, high bits down again, so the low 32 bits we keep mix in the high
 * halves of the word products too. */
static __always_inline __u32 flow_hash_finish(__u64 h)
{
	h ^= h >> 32;
	h *= SLUICE_FLOW_HASH_FINAL_MULT;
	h ^= h >> SLUICE_FLOW_HASH_FINAL_SHIFT;
	return (__u32)h;
}

/*
 * An IPv4 key's words 1 and 3 (address words 1..3 of src and dst) are always zero: they are
 * not mixed. The family is in word 4, so an IPv4 and an IPv6 key still hash apart.
 */
static __always_inline __u32 flow_hash(const struct sluice_flow_key *key)
{
	const __u64 *w = (const __u64 *)key;
	__u64 h = SLUICE_HASH_SEED;

	if (key->family == SLUICE_AF_INET) {
		h = flow_hash_mix(h, w[0]);
		h = flow_hash_mix(h, w[2]);
		h = flow_hash_mix(h, w[4]);
		return flow_hash_finish(h);
	}
#pragma unroll
	for (int i = 0; i < FLOW_KEY_WORDS64; i++)
		h = flow_hash_mix(h, w[i]);
	return flow_hash_finish(h);
}

#endif /* SLUICE_HASH_H */
