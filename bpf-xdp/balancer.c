// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sluice balancer: XDP on the LB host's NIC. Packets to a VIP are sent to one
 * backend (flow table, else Maglev), IP-in-IP encapsulated, and bounced back
 * out of the same NIC (XDP_TX). Everything that is not for a VIP passes to the
 * host untouched. See README.md for the decisions on edge cases.
 */
#include "common.h"
#include "maps.h"
#include "stats.h"
#include "parse.h"
#include "hash.h"
#include "select.h"
#include "vip_table.h"
#include "encap.h"
#include "icmp.h"
#include "dos.h"
#include "abi_btf.h"

static __always_inline int drop(enum sluice_reason reason)
{
	count_reason(reason);
	return XDP_DROP;
}

/*
 * Bytes after the IP packet. The padding of a minimum-size frame (every pure ACK) stays: past
 * the outer header's length it is the outer frame's padding, which the backend drops as it
 * drops any, and cutting it would cost a helper call per small packet. Anything longer is cut,
 * so the tunnel never carries more than the packet (and the MTU check holds).
 */
#define ETH_MIN_PAYLOAD 46   /* a shorter payload is padded up to it by the sender */

static __always_inline int trim_trailer(struct xdp_md *ctx, const struct packet *pkt)
{
	__u32 frame_len = (__u32)(ctx->data_end - ctx->data);
	__u32 wanted = pkt->l2_len + pkt->ip_len;

	if (frame_len <= wanted || frame_len <= pkt->l2_len + ETH_MIN_PAYLOAD)
		return 0;
	return bpf_xdp_adjust_tail(ctx, -(int)(frame_len - wanted));
}

static __always_inline int answer_too_big(struct xdp_md *ctx, const struct packet *pkt,
					  __u32 mtu, __u32 overhead)
{
	if (icmp_too_big(ctx, pkt, mtu > overhead ? mtu - overhead : 0))
		return drop(SLUICE_DROP_ENCAP_FAILED);
	count_reason(SLUICE_TX_ICMP_TOO_BIG);
	return XDP_TX;
}

/*
 * The second layer of a remembered flow whose bucket moved (select.h, flow_moved_to): added
 * when the packet still fits the MTU with it; otherwise the packet goes to the remembered backend
 * alone, as it would without the check (a flow that is where it was remembered is not made to
 * shrink its packets for a stale entry's sake).
 */
static __always_inline struct sluice_backend *moved_layer(const struct packet *pkt, __u32 mtu, __u32 overhead,
							   struct sluice_backend *moved_to)
{
	if (pkt->ip_len + overhead + encap_overhead(moved_to) > mtu) {
		count_reason(SLUICE_FLOW_MOVED_ALONE);
		return NULL;
	}
	count_reason(SLUICE_FLOW_MOVED);
	return moved_to;
}

static __always_inline int balance(struct xdp_md *ctx, struct packet *pkt, __u32 vip_id)
{
	__u32 config_key = 0;
	struct sluice_config *cfg = bpf_map_lookup_elem(&lb_config, &config_key);
	enum sluice_reason drop_reason = SLUICE_DROP_NO_BACKEND;
	struct sluice_backend *backend, *previous, *second, *moved_to;
	__u32 backend_id = 0, packed = 0, hash, overhead;
	int failed;

	/* An unwritten config reads as zeros; an MTU of 0 is never valid. */
	if (!cfg || cfg->mtu == 0)
		return drop(SLUICE_DROP_NO_CONFIG);

	hash = flow_hash(&pkt->flow);
	backend = select_backend(pkt, vip_id, hash, &backend_id, &packed, &moved_to, &drop_reason);
	if (!backend)
		return drop(drop_reason);

	/* Only buckets whose previous owner drains pay for the second layer (one bit test otherwise). */
	previous = slot_previous(packed);
	overhead = encap_overhead(backend) + (previous ? encap_overhead(previous) : 0);
	if (pkt->ip_len + overhead > cfg->mtu)
		return answer_too_big(ctx, pkt, cfg->mtu, overhead);
	second = moved_to ? moved_layer(pkt, cfg->mtu, overhead, moved_to) : previous;

	if (trim_trailer(ctx, pkt))
		return drop(SLUICE_DROP_ENCAP_FAILED);
	failed = second ? encapsulate_two(ctx, pkt, cfg, backend, second, hash)
			: encapsulate(ctx, pkt, cfg, backend, hash);
	if (failed)
		return drop(SLUICE_DROP_ENCAP_FAILED);

	count_reason(SLUICE_TX_FORWARDED);
	if (previous) {
		count_reason(SLUICE_TX_SECOND_CHANCE);
		count_second_chance((packed >> SLUICE_SLOT_PREV_SHIFT) & SLUICE_SLOT_PREV_MASK);
	}
	if (pkt->has_ip_options)
		count_reason(SLUICE_IPV4_OPTIONS);
	count_traffic(&vip_stats, vip_id, pkt->ip_len);
	count_traffic(&backend_stats, backend_id, pkt->ip_len);
	return XDP_TX;
}

SEC("xdp")
int balancer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct packet pkt = {};
	struct sluice_vip_key vip_key = {};
	const struct sluice_vip_meta *vip;
	struct dos_state dos;
	enum sluice_reason dos_verdict;
	int parsed = parse_packet(data, data_end, &pkt);

	if (parsed == PARSE_NOT_IP) {
		count_reason(SLUICE_PASS_NOT_IP);
		return XDP_PASS;
	}
	if (parsed == PARSE_UNKNOWN) {
		/* No ports, but the source lists still apply (ICMP floods, GRE, ESP, later fragments). */
		dos_verdict = dos_check_unparsed(data, data_end, &pkt, &dos);
		if (dos_verdict != DOS_CONTINUE)
			return drop(dos_verdict);
		count_reason(SLUICE_PASS_NOT_VIP);
		return XDP_PASS;
	}

	/* Step 2, the DoS stage (dos.h): allow and deny lists before any LB work. */
	dos_verdict = dos_check_source(&pkt, &dos);
	if (dos_verdict != DOS_CONTINUE)
		return drop(dos_verdict);

	__builtin_memcpy(vip_key.addr, pkt.flow.dst, sizeof(vip_key.addr));
	vip_key.port = pkt.flow.dport;
	vip_key.proto = pkt.flow.proto;
	vip_key.family = pkt.flow.family;
	vip = vip_find(&vip_key);
	if (!vip) {
		count_reason(SLUICE_PASS_NOT_VIP);
		return XDP_PASS;
	}
	/* A fragment cannot be hashed consistently with the rest of its flow: per-VIP policy. */
	if (parsed == PARSE_FRAGMENT) {
		dos_verdict = dos_fragment(vip->vip_id);
		if (dos_verdict == SLUICE_PASS_FRAGMENT) {
			count_reason(dos_verdict);
			return XDP_PASS;
		}
		return drop(dos_verdict);
	}
	if (parsed == PARSE_MALFORMED)
		return drop(SLUICE_DROP_TRUNCATED);
	/* The DoS stage's VIP half: protocol sanity, rate limits, new-flow ceiling. */
	dos_verdict = dos_check_vip(ctx, &pkt, vip->vip_id, &dos);
	if (dos_verdict != DOS_CONTINUE)
		return drop(dos_verdict);
	return balance(ctx, &pkt, vip->vip_id);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
