// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A plain XDP_PASS. Attached to the router-side veth peer of every LB host in
 * the lab: on this kernel, XDP_TX into a veth is only delivered when the peer
 * runs an XDP program. Also the baseline for bench_restore's own cost.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
