// SPDX-License-Identifier: GPL-2.0
/*
 * The two tiny XDP programs of bench/pps.sh, built into two objects (one program each, so
 * `ip link set ... xdp obj` attaches the right one): pps-tx.o, and pps-sink.o with -DSINK.
 *  - xdp_tx: the generator's program. pps-gen runs it with BPF_PROG_RUN in live-frames mode
 *    (BPF_F_TEST_XDP_LIVE_FRAMES), where XDP_TX sends the frame out of the given interface:
 *    the kernel builds and transmits the packets, no socket, no copy to the kernel per packet.
 *    Live frames are recycled pages: whatever the path did to a frame (sluice's encapsulation,
 *    nftables' DNAT and new MACs) is still in the page when it comes round again, so the program
 *    writes the frame afresh from pps_frame (filled by pps-gen) every time.
 *  - xdp_sink: the receivers' program. Drops every frame at the receiving veth's XDP hook, so
 *    a receiver costs the same for every path and the veth's own counters
 *    (rx_queue_0_xdp_packets) count what arrived.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* pps-gen's frame: 64 bytes, a minimum-size Ethernet frame without the FCS. */
#define PPS_FRAME_BYTES 64

struct pps_frame {
	__u8 bytes[PPS_FRAME_BYTES];
};

#ifndef SINK
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pps_frame);
} pps_frame SEC(".maps");

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	struct pps_frame *frame = bpf_map_lookup_elem(&pps_frame, &key);

	if (!frame || data + PPS_FRAME_BYTES > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, frame->bytes, PPS_FRAME_BYTES);
	return XDP_TX;
}
#else
SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	return XDP_DROP;
}
#endif

char _license[] SEC("license") = "GPL";
