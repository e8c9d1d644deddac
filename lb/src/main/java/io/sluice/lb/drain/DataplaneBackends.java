package io.sluice.lb.drain;

import io.sluice.lb.config.DrainSettings;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DataplaneIds;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.TrafficCounter;
import io.sluice.lb.steering.BackendRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the drain book needs from the maps: which backends a restarted daemon finds serving, each
 * draining backend's packet counter, and the flow-cache entries naming it when its drain ends.
 */
public final class DataplaneBackends {
    private DataplaneBackends() {
    }

    /** The backends the maps hold, as (VIP, address). */
    public static Set<BackendRef> serving(DataplaneIds ids) {
        Set<BackendRef> refs = new HashSet<>();
        ids.vips().forEach((vip, meta) -> ids.backends(meta.vipId()).keySet()
                .forEach(address -> refs.add(new BackendRef(vip, address))));
        return Set.copyOf(refs);
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

    /**
     * One sample of every draining backend: ends the drains that are over. Each draining backend's
     * packet counter is read by the id {@code ids} holds (refreshed by the caller after reconciles);
     * the flow cache is scanned only when a drain ends (a full-table read).
     */
    public static List<DrainTransition> sample(DrainBook book, List<VipConfig> vips, DataplaneMaps maps,
                                               DataplaneIds ids, Instant now) {
        Map<BackendRef, DrainSettings> settings = new HashMap<>();
        for (VipConfig vip : vips) {
            vip.backends().forEach(b -> settings.put(new BackendRef(vip.key(), b.address()), vip.drain()));
        }
        LazyFlowScan flows = new LazyFlowScan(maps);
        return book.sample(settings, ref -> {
            OptionalInt id = ids.backendId(ref.vip(), ref.address());
            if (id.isEmpty()) {
                return OptionalLong.empty();
            }
            TrafficCounter traffic = maps.backendTraffic(id.getAsInt());
            return OptionalLong.of(traffic.packets() + traffic.secondChance());
        }, ref -> {
            OptionalInt id = ids.backendId(ref.vip(), ref.address());
            return id.isEmpty() ? 0 : flows.byOwner().getOrDefault(id.getAsInt(), 0L);
        }, now);
    }
}
