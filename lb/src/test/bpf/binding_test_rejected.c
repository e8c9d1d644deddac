/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Test-only: a program the verifier must reject (unchecked packet read), to test error reporting. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_unchecked_read(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[64] == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
