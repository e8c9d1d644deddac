/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backend selection: the flow table first (established flows stay where they
 * are), the VIP's Maglev table on a miss, and the choice remembered.
 */
#ifndef SLUICE_SELECT_H
#define SLUICE_SELECT_H

#include "maps.h"
#include "stats.h"

static __always_inline struct sluice_backend *backend_in_use(__u32 backend_id)
{
	struct sluice_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (!backend || !(backend->flags & SLUICE_BACKEND_F_IN_USE))
		return NULL;
	return backend;
}

/* An entry whose backend left service (or whose VIP id was reused) is a miss: re-choose. */
static __always_inline struct sluice_backend *remembered_backend(const struct sluice_flow_key *key,
								 __u32 vip_id, __u32 *backend_id)
{
	struct sluice_flow *flow = bpf_map_lookup_elem(&flows, key);

	if (!flow || flow->vip_id != vip_id)
		return NULL;
	*backend_id = flow->backend_id;
	return backend_in_use(flow->backend_id);
}

/* Slot = 1 + hash % M, M kept in slot 0 of the same inner map. */
static __always_inline enum sluice_reason maglev_pick(__u32 vip_id, __u32 hash, __u32 *backend_id)
{
	__u32 slot = SLUICE_MAGLEV_SIZE_SLOT;
	void *table = bpf_map_lookup_elem(&maglev_tables, &vip_id);
	__u32 *size, *id;

	if (!table)
		return SLUICE_DROP_NO_BACKEND;
	size = bpf_map_lookup_elem(table, &slot);
	if (!size || *size == 0)
		return SLUICE_DROP_NO_BACKEND;
	slot = SLUICE_MAGLEV_FIRST_SLOT + hash % *size;
	id = bpf_map_lookup_elem(table, &slot);
	if (!id)
		return SLUICE_DROP_NO_BACKEND;
	*backend_id = *id;
	return SLUICE_FLOW_MISS;
}

/*
 * Returns the backend for this flow, or NULL with *drop_reason set.
 * Counts the flow-table hit / miss and the new flow per VIP and backend.
 */
static __always_inline struct sluice_backend *select_backend(const struct sluice_flow_key *key,
							     __u32 vip_id, __u32 hash,
							     __u32 *backend_id,
							     enum sluice_reason *drop_reason)
{
	struct sluice_backend *backend = remembered_backend(key, vip_id, backend_id);
	struct sluice_flow flow = { .vip_id = vip_id };
	enum sluice_reason picked;

	if (backend) {
		count_reason(SLUICE_FLOW_HIT);
		return backend;
	}

	picked = maglev_pick(vip_id, hash, backend_id);
	if (picked != SLUICE_FLOW_MISS) {
		*drop_reason = picked;
		return NULL;
	}
	backend = backend_in_use(*backend_id);
	if (!backend) {
		*drop_reason = SLUICE_DROP_BAD_BACKEND;
		return NULL;
	}

	flow.backend_id = *backend_id;
	bpf_map_update_elem(&flows, key, &flow, BPF_ANY);
	count_reason(SLUICE_FLOW_MISS);
	count_new_flow(&vip_stats, vip_id);
	count_new_flow(&backend_stats, *backend_id);
	return backend;
}

#endif /* SLUICE_SELECT_H */
