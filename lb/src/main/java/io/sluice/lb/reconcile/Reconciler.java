package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
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
import java.util.Set;

/**
 * Makes the BPF maps hold the desired state, writing only what differs.
 *
 * <p>It reads what the maps hold (not what it wrote last time), so it is idempotent and restart-safe:
 * a daemon that adopts a running data plane and reconciles the same config writes nothing.
 *
 * <p>Write order keeps every packet's view consistent: backends are written before any table points
 * at them, a VIP's table is in place before the VIP becomes visible, and a VIP disappears before its
 * table and unused backends are cleared.
 *
 * <p>Not thread-safe: the daemon reconciles from one thread.
 */
public final class Reconciler {
    private final DataplaneMaps maps;

    public Reconciler(DataplaneMaps maps) {
        this.maps = maps;
    }

    public ReconcileReport apply(DesiredState desired) {
        boolean settingsWritten = applySettings(desired.settings());

        Map<InetAddress, Integer> backendIds = new HashMap<>();
        IdAllocator backendAllocator = new IdAllocator(DataplaneAbi.MAX_BACKENDS, "backend");
        for (Map.Entry<Integer, BackendEntry> e : maps.readBackends().entrySet()) {
            backendIds.put(e.getValue().address(), e.getKey());
            backendAllocator.markUsed(e.getKey());
        }
        Set<InetAddress> wanted = desired.backendAddresses();
        int backendsAdded = 0;
        for (InetAddress address : wanted) {
            if (!backendIds.containsKey(address)) {
                int id = backendAllocator.allocate();
                maps.resetBackendTraffic(id);
                maps.putBackend(id, BackendEntry.inUse(address));
                backendIds.put(address, id);
                backendsAdded++;
            }
        }

        Map<VipKey, VipMeta> existingVips = maps.readVips();
        IdAllocator vipAllocator = new IdAllocator(DataplaneAbi.MAX_VIPS, "VIP");
        existingVips.values().forEach(meta -> vipAllocator.markUsed(meta.vipId()));

        int vipsAdded = 0;
        int tablesSwapped = 0;
        Set<VipKey> desiredKeys = new HashSet<>();
        for (DesiredVip vip : desired.vips()) {
            desiredKeys.add(vip.key());
            VipMeta meta = existingVips.get(vip.key());
            boolean isNew = meta == null;
            if (isNew) {
                meta = new VipMeta(vipAllocator.allocate(), DataplaneAbi.VIP_FLAGS_NONE);
                maps.resetVipTraffic(meta.vipId());
            }
            if (writeTableIfChanged(meta.vipId(), vip, backendIds)) {
                tablesSwapped++;
            }
            if (isNew) {
                maps.putVip(vip.key(), meta);
                vipsAdded++;
            }
        }

        int vipsRemoved = 0;
        for (Map.Entry<VipKey, VipMeta> e : existingVips.entrySet()) {
            if (!desiredKeys.contains(e.getKey())) {
                maps.deleteVip(e.getKey());
                maps.clearMaglevTable(e.getValue().vipId());
                vipsRemoved++;
            }
        }

        int backendsRemoved = 0;
        for (Map.Entry<InetAddress, Integer> e : backendIds.entrySet()) {
            if (!wanted.contains(e.getKey())) {
                maps.clearBackend(e.getValue());
                backendsRemoved++;
            }
        }
        return new ReconcileReport(vipsAdded, vipsRemoved, tablesSwapped, backendsAdded, backendsRemoved,
                settingsWritten);
    }

    private boolean applySettings(LbConfigEntry settings) {
        Optional<LbConfigEntry> current = maps.readConfig();
        if (current.isPresent() && current.get().equals(settings)) {
            return false;
        }
        maps.writeConfig(settings);
        return true;
    }

    /** Builds the VIP's Maglev table and swaps it in unless the map already holds exactly that table. */
    private boolean writeTableIfChanged(int vipId, DesiredVip vip, Map<InetAddress, Integer> backendIds) {
        Optional<int[]> current = maps.readMaglevTable(vipId);
        Optional<int[]> wanted = buildSlots(vip, backendIds);
        if (wanted.isEmpty()) {
            // No backend takes new flows: no table at all, the program counts a no-backend drop.
            if (current.isEmpty()) {
                return false;
            }
            maps.clearMaglevTable(vipId);
            return true;
        }
        if (current.isPresent() && Arrays.equals(current.get(), wanted.get())) {
            return false;
        }
        maps.swapMaglevTable(vipId, wanted.get());
        return true;
    }

    static Optional<int[]> buildSlots(DesiredVip vip, Map<InetAddress, Integer> backendIds) {
        List<MaglevBackend> candidates = new ArrayList<>(vip.backends().size());
        Map<String, Integer> idByIdentity = new HashMap<>();
        for (DesiredBackend backend : vip.backends()) {
            candidates.add(new MaglevBackend(backend.identity(), backend.weight()));
            idByIdentity.put(backend.identity(), backendIds.get(backend.address()));
        }
        MaglevTable table = MaglevTable.build(candidates, vip.tableSize());
        if (table.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(table.toSlots(b -> idByIdentity.get(b.identity())));
    }
}
