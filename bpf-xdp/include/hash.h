/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * MurmurHash3_x86_32 over the 40-byte image of struct sluice_flow_key (blocks read
 * little-endian, as on x86 and bpfel), seed SLUICE_HASH_SEED. The Java mirror
 * io.sluice.lb.dataplane.FlowHash must produce the same value for the same bytes.
 */
#ifndef SLUICE_HASH_H
#define SLUICE_HASH_H

#include "common.h"

#define MURMUR_C1      0xcc9e2d51u
#define MURMUR_C2      0x1b873593u
#define MURMUR_M       5u
#define MURMUR_N       0xe6546b64u
#define MURMUR_FMIX1   0x85ebca6bu
#define MURMUR_FMIX2   0xc2b2ae35u

#define FLOW_KEY_WORDS (sizeof(struct sluice_flow_key) / sizeof(__u32))

_Static_assert(sizeof(struct sluice_flow_key) == 40, "flow key is hashed as 40 bytes");

static __always_inline __u32 rotl32(__u32 x, __u32 r)
{
	return (x << r) | (x >> (32 - r));
}

static __always_inline __u32 murmur3_fmix(__u32 h)
{
	h ^= h >> 16;
	h *= MURMUR_FMIX1;
	h ^= h >> 13;
	h *= MURMUR_FMIX2;
	h ^= h >> 16;
	return h;
}

static __always_inline __u32 murmur3_round(__u32 h, __u32 k)
{
	k *= MURMUR_C1;
	k = rotl32(k, 15);
	k *= MURMUR_C2;
	h ^= k;
	h = rotl32(h, 13);
	return h * MURMUR_M + MURMUR_N;
}

/*
 * An IPv4 key's address words 1..3 (src) and 5..7 (dst) are always zero. Mixing a
 * constant zero folds to the h-only half of the round, so an IPv4 key skips six
 * multiply-rotate-multiply chains; the value is exactly the generic loop's.
 */
#define FLOW_KEY_IPV4_ZERO_WORDS 0xeeu   /* bits 1-3 and 5-7 */

static __always_inline __u32 flow_hash_words(const __u32 *words, __u32 zero_words)
{
	__u32 h = SLUICE_HASH_SEED;

#pragma unroll
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		h = murmur3_round(h, (zero_words >> i) & 1 ? 0 : words[i]);
	/* 40 is a multiple of 4: no tail bytes. */
	h ^= (__u32)sizeof(struct sluice_flow_key);
	return murmur3_fmix(h);
}

static __always_inline __u32 flow_hash(const struct sluice_flow_key *key)
{
	const __u32 *words = (const __u32 *)key;

	if (key->family == SLUICE_AF_INET)
		return flow_hash_words(words, FLOW_KEY_IPV4_ZERO_WORDS);
	return flow_hash_words(words, 0);
}

#endif /* SLUICE_HASH_H */
