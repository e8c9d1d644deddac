package io.sluice.lb.dataplane;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The ids the maps give each VIP and, per VIP, each backend (for the status, and for the drains'
 * packet counters): read again only when the maps may have changed, not for every use. The
 * reconciler is the only writer of both maps, so the daemon counts its reconciles
 * ({@code generation}) and this re-reads when the count moved. Reading all 16,384 backend slots
 * costs about 5 ms of CPU (the JMH figure), and the status is built after every event, at least
 * once a second, as drains are sampled while one runs. Owned by the daemon's thread.
 */
public final class DataplaneIds {
    private long generation = -1;
    private Map<VipKey, VipMeta> vips = Map.of();
    private Map<Integer, Map<InetAddress, Integer>> backendsByVip = Map.of();

    /** Reads both maps if {@code mapsGeneration} is not the one last read. */
    public void refresh(long mapsGeneration, Supplier<Map<VipKey, VipMeta>> readVips,
                        Supplier<Map<Integer, BackendEntry>> readBackends) {
        if (mapsGeneration == generation) {
            return;
        }
        Map<Integer, Map<InetAddress, Integer>> byVip = new HashMap<>();
        // Backend ids are per VIP (owner_vip): (vip id, address) -> backend id.
        for (Map.Entry<Integer, BackendEntry> e : readBackends.get().entrySet()) {
            byVip.computeIfAbsent(e.getValue().ownerVip(), k -> new HashMap<>()).put(e.getValue().address(), e.getKey());
        }
        vips = Map.copyOf(readVips.get());
        backendsByVip = byVip;
        generation = mapsGeneration;
    }

    public Map<VipKey, VipMeta> vips() {
        return vips;
    }

    /** The backend ids of VIP {@code vipId}, by address. */
    public Map<InetAddress, Integer> backends(int vipId) {
        return backendsByVip.getOrDefault(vipId, Map.of());
    }

    /** The id of backend {@code address} of {@code vip}, if the maps hold it. */
    public OptionalInt backendId(VipKey vip, InetAddress address) {
        VipMeta meta = vips.get(vip);
        Integer id = meta == null ? null : backends(meta.vipId()).get(address);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}
