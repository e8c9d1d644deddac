package io.sluice.lb.drain;

import io.sluice.lb.config.DrainSettings;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.TrafficCounter;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.steering.BackendRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The backend ids the data plane holds, by (VIP, address): what the drain book needs from the maps
 * (which backends a restarted daemon finds, each draining backend's packet counter, and the
 * flow-cache entries naming it when its drain ends).
 */
public final class DataplaneBackends {
    private final Map<BackendRef, Integer> ids;

    private DataplaneBackends(Map<BackendRef, Integer> ids) {
        this.ids = ids;
    }

    public static DataplaneBackends read(DataplaneMaps maps) {
        Map<Integer, VipKey> vipById = new HashMap<>();
        for (Map.Entry<VipKey, VipMeta> e : maps.readVips().entrySet()) {
            vipById.put(e.getValue().vipId(), e.getKey());
        }
        Map<BackendRef, Integer> ids = new HashMap<>();
        for (Map.Entry<Integer, BackendEntry> e : maps.readBackends().entrySet()) {
            VipKey vip = vipById.get(e.getValue().ownerVip());
            if (vip != null) {
                ids.put(new BackendRef(vip, e.getValue().address()), e.getKey());
            }
        }
        return new DataplaneBackends(ids);
    }

    /** The flow cache read once, and only if a drain ends in this sample. */
    private static final class LazyFlowScan {
        private final DataplaneMaps maps;
        private Map<Integer, Long> byOwner;

        LazyFlowScan(DataplaneMaps maps) {
            this.maps = maps;
        }

        Map<Integer, Long> byOwner() {
            if (byOwner == null) {
                byOwner = maps.flowsByOwner();
            }
            return byOwner;
        }
    }

    public java.util.Set<BackendRef> refs() {
        return ids.keySet();
    }

    /**
     * One sample of every draining backend: ends the drains that are over. The flow cache is scanned
     * only when a drain ends (a full-table read).
     */
    public static List<DrainTransition> sample(DrainBook book, List<VipConfig> vips, DataplaneMaps maps, Instant now) {
        Map<BackendRef, DrainSettings> settings = new HashMap<>();
        for (VipConfig vip : vips) {
            vip.backends().forEach(b -> settings.put(new BackendRef(vip.key(), b.address()), vip.drain()));
        }
        DataplaneBackends backends = read(maps);
        LazyFlowScan flows = new LazyFlowScan(maps);
        return book.sample(settings, ref -> {
            Integer id = backends.ids.get(ref);
            if (id == null) {
                return OptionalLong.empty();
            }
            TrafficCounter traffic = maps.backendTraffic(id);
            return OptionalLong.of(traffic.packets() + traffic.secondChance());
        }, ref -> {
            Integer id = backends.ids.get(ref);
            return id == null ? 0 : flows.byOwner().getOrDefault(id, 0L);
        }, now);
    }
}
