/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backend selection: the flow cache first (established flows stay where they
 * are), the VIP's Maglev table on a miss, and the choice remembered.
 */
#ifndef SLUICE_SELECT_H
#define SLUICE_SELECT_H

#include "maps.h"
#include "stats.h"
#include "flow_cache.h"
#include "parse.h"

static __always_inline struct sluice_backend *backend_in_use(__u32 backend_id)
{
	struct sluice_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (!backend || !(backend->flags & SLUICE_BACKEND_F_IN_USE))
		return NULL;
	return backend;
}

_Static_assert(SLUICE_MAX_BACKENDS <= SLUICE_SLOT_PREV_MASK + 1, "backend ids fit a packed slot");

static __always_inline __u32 slot_owner(__u32 packed)
{
	return packed & SLUICE_SLOT_BACKEND_MASK;
}

/* The draining previous owner of the bucket, or NULL if none (or it left service). */
static __always_inline struct sluice_backend *slot_previous(__u32 packed)
{
	if (!(packed & SLUICE_SLOT_PREV_VALID))
		return NULL;
	return backend_in_use((packed >> SLUICE_SLOT_PREV_SHIFT) & SLUICE_SLOT_PREV_MASK);
}

/* The VIP's current Maglev table (an inner map of maglev_tables), or NULL. */
static __always_inline struct bpf_map___sluice *maglev_table(__u32 vip_id)
{
	return bpf_map_lookup_elem(&maglev_tables, &vip_id);
}

/* Which table this is, for a flow-cache way's table_epoch: every swap installs a new map. */
static __always_inline __u8 maglev_epoch(const struct bpf_map___sluice *table)
{
	return table ? SLUICE_TABLE_EPOCH(table->id) : 0;
}

/*
 * Slot = 1 + hash % M. M is read from the inner map's own size (M + 1 entries: slot 0 keeps M for
 * readers of the map), a field of the kernel's struct bpf_map the table pointer already points
 * at: one array lookup (a helper call: an inner map's lookup is not inlined) instead of two.
 * *packed: see SLUICE_SLOT_*.
 */
static __always_inline enum sluice_reason maglev_pick(struct bpf_map___sluice *table, __u32 hash, __u32 *packed)
{
	__u32 size, slot, *id;

	if (!table)
		return SLUICE_DROP_NO_BACKEND;
	size = table->max_entries - SLUICE_MAGLEV_FIRST_SLOT;
	if (size == 0 || size > SLUICE_MAGLEV_MAX_SIZE)
		return SLUICE_DROP_NO_BACKEND;
	slot = SLUICE_MAGLEV_FIRST_SLOT + hash % size;
	id = bpf_map_lookup_elem(table, &slot);
	if (!id)
		return SLUICE_DROP_NO_BACKEND;
	*packed = *id;
	return SLUICE_FLOW_MISS;
}

/*
 * A remembered flow whose VIP has had a new table since its way last agreed with one: does the
 * table now give the flow's bucket to another backend? Then that backend, named as second chance
 * behind the remembered one: whichever of the two has the flow takes it. The case this is for is a
 * stale entry of a reused 5-tuple whose new connection another LB host placed by the table (the
 * hosts' tables agree; this host's entry is older); a flow remembered before its bucket moved
 * stays where it is. The way stays unmarked, so each of its packets asks again. Otherwise the way
 * is marked as agreeing with this table, and NULL. A remembered pair (a drain's previous owner)
 * keeps its pair: a packet carries one second layer at most.
 */
static __always_inline struct sluice_backend *flow_moved_to(const struct flow_place *place,
							    struct bpf_map___sluice *table, __u32 hash,
							    __u32 remembered, __u8 epoch)
{
	struct sluice_backend *owner;
	__u32 packed;

	if (!(remembered & SLUICE_SLOT_PREV_VALID) && maglev_pick(table, hash, &packed) == SLUICE_FLOW_MISS &&
	    slot_owner(packed) != slot_owner(remembered)) {
		owner = backend_in_use(slot_owner(packed));
		if (owner)
			return owner;
	}
	flow_place_set_epoch(place, epoch);
	return NULL;
}

/*
 * Returns the backend for this flow, or NULL with *drop_reason set. *packed is the slot as
 * the table (or the flow cache, which keeps the pair) holds it: slot_previous() names the
 * bucket's draining previous owner, if any. *moved_to: for a remembered flow whose bucket the
 * table now gives to another backend, that backend (flow_moved_to), else NULL.
 * Counts the flow-table hit / miss and the new flow per VIP and backend.
 * A remembered flow whose backend left service (or whose VIP id was reused) is a
 * miss: it is re-chosen and its slot overwritten in place.
 */
static __always_inline struct sluice_backend *select_backend(const struct packet *pkt,
							     __u32 vip_id, __u32 hash,
							     __u32 *backend_id, __u32 *packed,
							     struct sluice_backend **moved_to,
							     enum sluice_reason *drop_reason)
{
	const struct sluice_flow_key *key = &pkt->flow;
	struct bpf_map___sluice *table = maglev_table(vip_id);
	__u8 epoch = maglev_epoch(table);
	struct flow_place place = {};
	struct sluice_backend *backend;
	enum sluice_reason picked;

	*moved_to = NULL;
	flow_locate(key, vip_id, hash, &place);
	/*
	 * A SYN starts a new flow: it follows the table, never a remembered entry (a reused
	 * 5-tuple's entry may name a draining backend or one that no longer owns the bucket,
	 * and the flow's later packets on other LB hosts would follow the table). It
	 * replaces the entry, so no packet of the new connection meets the old one.
	 */
	if (place.found && !pkt->opens_flow && flow_place_backend(&place, hash, packed)) {
		*backend_id = slot_owner(*packed);
		backend = backend_in_use(*backend_id);
		if (backend) {
			count_reason(SLUICE_FLOW_HIT);
			if (table && flow_place_epoch(&place) != epoch)
				*moved_to = flow_moved_to(&place, table, hash, *packed, epoch);
			return backend;
		}
	}

	picked = maglev_pick(table, hash, packed);
	if (picked != SLUICE_FLOW_MISS) {
		*drop_reason = picked;
		return NULL;
	}
	*backend_id = slot_owner(*packed);
	backend = backend_in_use(*backend_id);
	if (!backend) {
		*drop_reason = SLUICE_DROP_BAD_BACKEND;
		return NULL;
	}
	/*
	 * A new TCP flow belongs to the bucket's current owner: no second layer for its SYN, and
	 * the flow is remembered without the pair, so only flows the balancer did not see start
	 * (the previous owner's, most likely) keep naming the previous owner.
	 */
	if (pkt->opens_flow) {
		*packed = *backend_id;
		if (place.found)
			count_reason(SLUICE_FLOW_SYN_REPLACED);
	}

	flow_remember(&place, *packed, hash, epoch);
	count_reason(SLUICE_FLOW_MISS);
	count_new_flow(&vip_stats, vip_id);
	count_new_flow(&backend_stats, *backend_id);
	return backend;
}

#endif /* SLUICE_SELECT_H */
