package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.PackedSlot;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.maglev.MaglevBackend;
import io.sluice.lb.maglev.MaglevTable;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Makes the BPF maps hold the desired state, writing only what differs.
 *
 * <p>It reads what the maps hold (not what it wrote last time), so it is idempotent and restart-safe:
 * a daemon that adopts a running data plane and reconciles the same config writes nothing.
 *
 * <p>Backend ids belong to one VIP ({@code owner_vip} in the backend entry): a server behind two
 * VIPs has two ids, so when one VIP's check takes it out, only that VIP's flows leave it, and the
 * counters are per VIP and backend.
 *
 * <p>Write order keeps every packet's view consistent: backends are written before any table points
 * at them, a VIP's table is in place before the VIP becomes visible, and a VIP disappears before its
 * table and backends are cleared.
 *
 * <p>Not thread-safe: the daemon reconciles from one thread.
 */
public final class Reconciler {
    /** A backend id's owner: which VIP's table it serves, and which server it is. */
    private record Owned(int vipId, InetAddress address) {
    }

    /**
     * A table this reconciler wrote or read, by the id of the inner map that holds it, with its
     * fingerprint (computed once per table, not per reconcile) and what it was built from (null for
     * a table read from the maps).
     */
    private record KnownTable(int innerMapId, int[] slots, String fingerprint, TableInputs inputs) {
        KnownTable withInputs(TableInputs built) {
            return new KnownTable(innerMapId, slots, fingerprint, built);
        }
    }

    /**
     * Everything a VIP's table is built from: its size, its backends with their weights and states,
     * and their ids. Equal inputs build an equal table (buildSlots is a pure function of them), so a
     * reconcile builds only the tables whose inputs changed: a health change or a ramp step of one
     * VIP no longer rebuilds every VIP's table.
     */
    private record TableInputs(int tableSize, List<DesiredBackend> backends, List<Integer> ids) {
    }

    private final DataplaneMaps maps;
    /**
     * Tables by vip id, so a reconcile (every health change, every second of a slow-start ramp)
     * does not read back every VIP's table: a swap installs a new inner map, so the table is only
     * read again when the map id in the outer slot is not the one remembered.
     */
    private final Map<Integer, KnownTable> knownTables = new HashMap<>();
    /** Each desired VIP's table fingerprint after the last successful apply (TableFingerprint). */
    private Map<VipKey, String> fingerprints = Map.of();
    /** Maglev tables built by the apply under way (for its report). */
    private int tablesBuilt;

    public Reconciler(DataplaneMaps maps) {
        this.maps = maps;
    }

    public ReconcileReport apply(DesiredState desired) {
        tablesBuilt = 0;
        boolean settingsWritten = applySettings(desired.settings());

        Map<Owned, Integer> backendIds = new HashMap<>();
        IdAllocator backendAllocator = new IdAllocator(DataplaneAbi.MAX_BACKENDS, "backend");
        for (Map.Entry<Integer, BackendEntry> e : maps.readBackends().entrySet()) {
            backendIds.put(new Owned(e.getValue().ownerVip(), e.getValue().address()), e.getKey());
            backendAllocator.markUsed(e.getKey());
        }
        Map<VipKey, VipMeta> existingVips = maps.readVips();
        IdAllocator vipAllocator = new IdAllocator(DataplaneAbi.MAX_VIPS, "VIP");
        existingVips.values().forEach(meta -> vipAllocator.markUsed(meta.vipId()));

        int vipsAdded = 0;
        int tablesSwapped = 0;
        int backendsAdded = 0;
        Set<VipKey> desiredKeys = new HashSet<>();
        Set<Owned> wanted = new HashSet<>();
        Map<VipKey, String> tableFingerprints = new HashMap<>();
        for (DesiredVip vip : desired.vips()) {
            desiredKeys.add(vip.key());
            VipMeta meta = existingVips.get(vip.key());
            boolean isNew = meta == null;
            if (isNew) {
                meta = new VipMeta(vipAllocator.allocate(), DataplaneAbi.VIP_FLAGS_NONE);
                maps.resetVipTraffic(meta.vipId());
            }
            for (DesiredBackend backend : vip.backends()) {
                Owned owned = new Owned(meta.vipId(), backend.address());
                wanted.add(owned);
                if (!backendIds.containsKey(owned)) {
                    int id = backendAllocator.allocate();
                    maps.resetBackendTraffic(id);
                    maps.putBackend(id, BackendEntry.inUse(backend.address(), meta.vipId()));
                    backendIds.put(owned, id);
                    backendsAdded++;
                }
            }
            if (writeTableIfChanged(meta.vipId(), vip, backendIds)) {
                tablesSwapped++;
            }
            KnownTable table = knownTables.get(meta.vipId());
            tableFingerprints.put(vip.key(), table == null ? TableFingerprint.NONE : table.fingerprint());
            if (isNew) {
                maps.putVip(vip.key(), meta);
                vipsAdded++;
            }
        }

        int vipsRemoved = 0;
        for (Map.Entry<VipKey, VipMeta> e : existingVips.entrySet()) {
            if (!desiredKeys.contains(e.getKey())) {
                maps.deleteVip(e.getKey());
                clearTable(e.getValue().vipId());
                vipsRemoved++;
            }
        }

        // Last: ids no table points at any more. Clearing IN_USE makes the program re-choose the
        // flows still pinned to them (a DOWN or removed backend never gets another packet).
        int backendsRemoved = 0;
        for (Map.Entry<Owned, Integer> e : backendIds.entrySet()) {
            if (!wanted.contains(e.getKey())) {
                maps.clearBackend(e.getValue());
                backendsRemoved++;
            }
        }
        fingerprints = Map.copyOf(tableFingerprints);
        return new ReconcileReport(vipsAdded, vipsRemoved, tablesSwapped, tablesBuilt, backendsAdded,
                backendsRemoved, settingsWritten);
    }

    /**
     * Each desired VIP's table fingerprint as of the last successful {@link #apply}
     * ({@link TableFingerprint#NONE} for a VIP without a table). Costs nothing: computed when a
     * table is written or first read.
     */
    public Map<VipKey, String> fingerprints() {
        return fingerprints;
    }

    private boolean applySettings(LbConfigEntry settings) {
        Optional<LbConfigEntry> current = maps.readConfig();
        if (current.isPresent() && current.get().equals(settings)) {
            return false;
        }
        maps.writeConfig(settings);
        return true;
    }

    /**
     * Builds the VIP's Maglev table and swaps it in unless the map already holds exactly that table;
     * builds nothing when the table in place was built from the same inputs.
     */
    private boolean writeTableIfChanged(int vipId, DesiredVip vip, Map<Owned, Integer> backendIds) {
        Optional<int[]> current = currentTable(vipId, backendIds);
        TableInputs inputs = new TableInputs(vip.tableSize(), vip.backends(),
                vip.backends().stream().map(b -> backendIds.get(new Owned(vipId, b.address()))).toList());
        KnownTable known = knownTables.get(vipId); // the table in place, when current is present
        if (current.isPresent() && known != null && inputs.equals(known.inputs())) {
            return false;
        }
        tablesBuilt++;
        Optional<int[]> wanted = buildSlots(vip, address -> backendIds.get(new Owned(vipId, address)));
        if (wanted.isEmpty()) {
            // No backend takes new flows: no table at all, the program counts a no-backend drop.
            if (current.isEmpty()) {
                return false;
            }
            clearTable(vipId);
            return true;
        }
        if (current.isPresent() && Arrays.equals(current.get(), wanted.get())) {
            knownTables.computeIfPresent(vipId, (id, table) -> table.withInputs(inputs));
            return false;
        }
        maps.swapMaglevTable(vipId, wanted.get());
        String fingerprint = fingerprint(vipId, wanted.get(), backendIds);
        maps.maglevTableId(vipId)
                .ifPresent(id -> knownTables.put(vipId, new KnownTable(id, wanted.get(), fingerprint, inputs)));
        return true;
    }

    /** The VIP's table as the map holds it, read only when it is not the one remembered. */
    private Optional<int[]> currentTable(int vipId, Map<Owned, Integer> backendIds) {
        OptionalInt id = maps.maglevTableId(vipId);
        if (id.isEmpty()) {
            knownTables.remove(vipId);
            return Optional.empty();
        }
        KnownTable known = knownTables.get(vipId);
        if (known != null && known.innerMapId() == id.getAsInt()) {
            return Optional.of(known.slots());
        }
        Optional<int[]> read = maps.readMaglevTable(vipId);
        read.ifPresentOrElse(slots -> knownTables.put(vipId,
                        new KnownTable(id.getAsInt(), slots, readFingerprint(vipId, slots, backendIds), null)),
                () -> knownTables.remove(vipId));
        return read;
    }

    /** The table's fingerprint, by backend address (ids are host-local). */
    private static String fingerprint(int vipId, int[] slots, Map<Owned, Integer> backendIds) {
        Map<Integer, InetAddress> addresses = new HashMap<>();
        backendIds.forEach((owned, id) -> {
            if (owned.vipId() == vipId) {
                addresses.put(id, owned.address());
            }
        });
        return TableFingerprint.of(slots, addresses::get);
    }

    /** A table found in the maps may name an id with no backend (it differs, and is swapped). */
    private static String readFingerprint(int vipId, int[] slots, Map<Owned, Integer> backendIds) {
        try {
            return fingerprint(vipId, slots, backendIds);
        } catch (IllegalArgumentException e) {
            return TableFingerprint.UNKNOWN;
        }
    }

    private void clearTable(int vipId) {
        maps.clearMaglevTable(vipId);
        knownTables.remove(vipId);
    }

    /**
     * The VIP's slots: Maglev over the backends taking new flows, each slot packed with a previous
     * owner where one is still in service and differs (PackedSlot):
     * <ul>
     *   <li>a draining backend is the previous owner of the slots it has in the table over all
     *       backends (draining ones at their weights): the buckets it owned keep a second chance;</li>
     *   <li>a slot a filling backend took is named after its owner in the table without the filling
     *       backends: flows in flight there (a handshake, a flow another CPU or LB host remembers)
     *       stay where they are;</li>
     *   <li>while a slow start ramps a backend up, a slot it owns only at its full weight names it as
     *       previous owner: another LB host further along the same ramp (its fill began earlier) has
     *       already placed new flows there on it, and those reach it from this host too when ECMP
     *       moves them here (a crash, a withdraw). The ramp hardly ever takes a slot back as it
     *       grows, so the full-weight table covers every point ahead.</li>
     * </ul>
     * Every table is a pure function of the backend set and its states, so LB hosts with the same
     * view compute the same pairs.
     */
    static Optional<int[]> buildSlots(DesiredVip vip, java.util.function.Function<InetAddress, Integer> idOf) {
        Map<String, Integer> idByIdentity = new HashMap<>();
        List<MaglevBackend> current = new ArrayList<>(vip.backends().size());
        List<MaglevBackend> withDraining = new ArrayList<>(vip.backends().size());
        List<MaglevBackend> withoutFilling = new ArrayList<>(vip.backends().size());
        List<MaglevBackend> rampsDone = new ArrayList<>(vip.backends().size());
        Set<Integer> draining = new HashSet<>();
        Set<Integer> filling = new HashSet<>();
        Set<Integer> ramping = new HashSet<>();
        for (DesiredBackend backend : vip.backends()) {
            int id = idOf.apply(backend.address());
            idByIdentity.put(backend.identity(), id);
            MaglevBackend candidate = new MaglevBackend(backend.identity(), backend.weight());
            withDraining.add(candidate);
            if (backend.draining()) {
                draining.add(id);
            } else {
                current.add(candidate);
                rampsDone.add(new MaglevBackend(backend.identity(), backend.targetWeight()));
            }
            if (backend.filling()) {
                filling.add(id);
            } else {
                withoutFilling.add(candidate);
            }
            if (backend.ramping()) {
                ramping.add(id);
            }
        }
        MaglevTable table = MaglevTable.build(current, vip.tableSize());
        if (table.isEmpty()) {
            return Optional.empty();
        }
        int[] slots = table.toSlots(b -> idByIdentity.get(b.identity()));
        int[] drainingOwners = draining.isEmpty() ? null : ownersOf(withDraining, vip, idByIdentity);
        int[] ownersBeforeFill = filling.isEmpty() ? null : ownersOf(withoutFilling, vip, idByIdentity);
        int[] ownersAfterRamp = ramping.isEmpty() ? null : ownersOf(rampsDone, vip, idByIdentity);
        if (drainingOwners == null && ownersBeforeFill == null && ownersAfterRamp == null) {
            return Optional.of(slots);
        }
        for (int i = 0; i < slots.length; i++) {
            int owner = slots[i];
            if (drainingOwners != null && drainingOwners[i] != owner && draining.contains(drainingOwners[i])) {
                slots[i] = PackedSlot.of(owner, drainingOwners[i]);
            } else if (ownersBeforeFill != null && filling.contains(owner) && ownersBeforeFill[i] >= 0
                    && ownersBeforeFill[i] != owner) {
                slots[i] = PackedSlot.of(owner, ownersBeforeFill[i]);
            } else if (ownersAfterRamp != null && ramping.contains(ownersAfterRamp[i]) && ownersAfterRamp[i] != owner) {
                slots[i] = PackedSlot.of(owner, ownersAfterRamp[i]);
            }
        }
        return Optional.of(slots);
    }

    /** The slots of Maglev over these backends, or -1 everywhere if it has none with weight. */
    private static int[] ownersOf(List<MaglevBackend> backends, DesiredVip vip, Map<String, Integer> idByIdentity) {
        MaglevTable table = MaglevTable.build(backends, vip.tableSize());
        if (table.isEmpty()) {
            int[] none = new int[vip.tableSize()];
            Arrays.fill(none, -1);
            return none;
        }
        return table.toSlots(b -> idByIdentity.get(b.identity()));
    }
}
