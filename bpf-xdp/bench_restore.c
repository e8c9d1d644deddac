// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark wrapper for BPF_PROG_TEST_RUN with repeat > 1. The kernel runs every
 * iteration on the buffer the previous one rewrote, so this program first puts
 * the pristine packet back (size and bytes, from bench_packet), optionally makes
 * it a new flow (per-iteration source port / source address tail), then tail-calls
 * the program under test (bench_target[0]).
 *
 * Its own cost: run it once with bench_target[0] = xdp_pass and once with the
 * balancer; the balancer's cost per packet is the difference of the two means.
 *
 * Only the length has to be restored (every byte is rewritten), and it is
 * restored at the head: shrunk after an encapsulation, grown back after a
 * decapsulation. Growing is bounded by the headroom (256 bytes), so the ICMP
 * too-big answer to a large packet (trimmed by ~1400 bytes) aborts: benchmark
 * it one packet per run.
 */
#include "common.h"

#define BENCH_MAX_PACKET 1536
#define NO_REWRITE       0       /* offset 0 is the Ethernet header: never a port */

struct bench_packet {
	__u32 len;               /* pristine length in bytes */
	__u16 sport_offset;      /* offset of the L4 source port, or NO_REWRITE */
	__u16 src_tail_offset;   /* offset of the last 2 bytes of the IP source, or NO_REWRITE */
	__u8  bytes[BENCH_MAX_PACKET];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_packet);
} bench_packet SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_iteration SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* Undoes what the previous iteration did at the head: pushed (encap) or pulled (decap). */
static __always_inline int restore_size(struct xdp_md *ctx, __u32 len)
{
	__u32 current = (__u32)(ctx->data_end - ctx->data);

	if (current > len)
		return bpf_xdp_adjust_head(ctx, (int)(current - len));
	if (current < len)
		return bpf_xdp_adjust_head(ctx, -(int)(len - current));
	return 0;
}

static __always_inline int rewrite_u16(struct xdp_md *ctx, __u32 offset, __u16 value, __u32 len)
{
	__be16 wire = bpf_htons(value);

	if (offset == NO_REWRITE)
		return 0;
	if (offset + sizeof(wire) > len)
		return -1;
	return bpf_xdp_store_bytes(ctx, offset, &wire, sizeof(wire));
}

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bench_packet *pristine = bpf_map_lookup_elem(&bench_packet, &zero);
	__u64 *iteration = bpf_map_lookup_elem(&bench_iteration, &zero);
	__u32 len;

	if (!pristine || !iteration)
		return XDP_ABORTED;
	len = pristine->len;
	if (len == 0 || len > BENCH_MAX_PACKET)
		return XDP_ABORTED;
	if (restore_size(ctx, len) || bpf_xdp_store_bytes(ctx, 0, pristine->bytes, len))
		return XDP_ABORTED;

	*iteration += 1;
	if (rewrite_u16(ctx, pristine->sport_offset, (__u16)*iteration, len) ||
	    rewrite_u16(ctx, pristine->src_tail_offset, (__u16)(*iteration >> 16), len))
		return XDP_ABORTED;

	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED;   /* no target installed */
}

/*
 * Head-matched baselines: targets that move the head as the program under test does
 * (push an IPv4 / IPv6 header, pull an IPv4 header) and pass. Behind the wrapper they
 * make its restore do the same bpf_xdp_adjust_head the measured program makes it do,
 * at the price of one adjust of their own (see docs/BENCHMARKS.md for the arithmetic).
 */
static __always_inline int move_head(struct xdp_md *ctx, int delta)
{
	return bpf_xdp_adjust_head(ctx, delta) ? XDP_ABORTED : XDP_PASS;
}

SEC("xdp")
int bench_push_ipv4(struct xdp_md *ctx)
{
	return move_head(ctx, -(int)IPV4_HDR_LEN);
}

SEC("xdp")
int bench_push_ipv6(struct xdp_md *ctx)
{
	return move_head(ctx, -(int)IPV6_HDR_LEN);
}

SEC("xdp")
int bench_pull_ipv4(struct xdp_md *ctx)
{
	return move_head(ctx, (int)IPV4_HDR_LEN);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
