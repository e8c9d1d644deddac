/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test-only object for the Java libbpf binding tests: a few maps and tiny XDP programs. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define ETH_ALEN_BYTES 6
#define GROW_BYTES 4
#define GROW_MARK 0xab

/* Shared through pinMapsUnder: a value written by one load is seen by the next. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} shared SEC(".maps");

/* Resized by setMaxEntries before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} resizable SEC(".maps");

struct inner_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_table);
} tables SEC(".maps");

/* Counts runs of xdp_count, so the test can see a program touching a map. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

/* A .rodata global, so the object has an internal map that pinMapsUnder must not pin. */
const volatile __u32 drop_verdict = XDP_DROP;

SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	return drop_verdict;
}

SEC("xdp")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Swaps the Ethernet addresses and sends the frame back: a known rewrite. */
SEC("xdp")
int xdp_swap_mac(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN_BYTES];

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN_BYTES);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN_BYTES);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN_BYTES);
	return XDP_TX;
}

/* Prepends GROW_BYTES marker bytes: the output is longer than the input. */
SEC("xdp")
int xdp_grow(struct xdp_md *ctx)
{
	unsigned char *data;

	if (bpf_xdp_adjust_head(ctx, -GROW_BYTES))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	if ((void *)(data + GROW_BYTES) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	for (int i = 0; i < GROW_BYTES; i++)
		data[i] = GROW_MARK;
	return XDP_TX;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&runs, &key);

	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
