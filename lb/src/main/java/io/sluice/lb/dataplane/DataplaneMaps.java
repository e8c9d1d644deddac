package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.MapType;
import io.sluice.lb.bpf.UpdateFlags;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Typed access to the balancer's maps: what the reconciler reads and writes. Owns one fd
 * per map and closes them in {@link #close}; the maps themselves live on (pinned,
 * referenced by the attached program).
 *
 * <p>Not thread-safe for writers: the daemon writes from one thread. Reads of counters
 * from another thread (metrics) are safe.
 */
public final class DataplaneMaps implements AutoCloseable {

    private static final int U32_BYTES = Integer.BYTES;
    private static final int U64_BYTES = Long.BYTES;
    private static final int CONFIG_KEY = 0;
    private static final String INNER_MAGLEV_NAME_PREFIX = "maglev_";
    /** Each attempt is barred with a chance of at most 129/256: a bound on the loop that is never reached in practice. */
    private static final int INNER_TABLE_ATTEMPTS = 32;

    private final BpfMap vips;
    private final VipTable vipTable;
    private final BpfMap backends;
    private final BpfMap maglevTables;
    private final Map<FlowFamily, BpfMap> flowMaps = new EnumMap<>(FlowFamily.class);
    private final Map<FlowFamily, FlowCache> flowCaches = new EnumMap<>(FlowFamily.class);
    private final BpfMap lbConfig;
    private final BpfMap vipStats;
    private final BpfMap backendStats;
    private final BpfMap reasons;
    private final RecentTableEpochs tableEpochs = new RecentTableEpochs();

    private DataplaneMaps(Function<String, BpfMap> opener) {
        List<BpfMap> opened = new ArrayList<>();
        try {
            vips = SizedMaps.open(opener, DataplaneAbi.MAP_VIPS, Integer.BYTES, VipBucket.SIZE, opened);
            vipTable = new VipTable(vips);
            backends = SizedMaps.open(opener, DataplaneAbi.MAP_BACKENDS, U32_BYTES, BackendEntry.SIZE, opened);
            maglevTables = SizedMaps.open(opener, DataplaneAbi.MAP_MAGLEV_TABLES, U32_BYTES, U32_BYTES, opened);
            for (FlowFamily family : FlowFamily.values()) {
                BpfMap map = SizedMaps.open(opener, family.mapName(), U32_BYTES, family.bucketSize(), opened);
                requireType(map, family.mapName(), MapType.ARRAY);
                flowMaps.put(family, map);
            }
            requireSameSize(flowMaps);
            lbConfig = SizedMaps.open(opener, DataplaneAbi.MAP_LB_CONFIG, U32_BYTES, LbConfigEntry.SIZE, opened);
            vipStats = SizedMaps.open(opener, DataplaneAbi.MAP_VIP_STATS, U32_BYTES, TrafficCounter.SIZE, opened);
            backendStats = SizedMaps.open(opener, DataplaneAbi.MAP_BACKEND_STATS, U32_BYTES, TrafficCounter.SIZE, opened);
            reasons = SizedMaps.open(opener, DataplaneAbi.MAP_REASONS, U32_BYTES, U64_BYTES, opened);
            // Last: nothing after them can fail and leave a mapping behind.
            flowMaps.forEach((family, map) -> flowCaches.put(family, new FlowCache(family, map)));
        } catch (RuntimeException e) {
            flowCaches.values().forEach(FlowCache::close);
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    /** Pinned by an older build the sizes may match while the layout does not (the flows map was per CPU). */
    private static void requireType(BpfMap map, String name, MapType type) {
        if (map.type() != type) {
            throw new IllegalStateException("map '" + name + "' is " + map.type() + ", this build expects " + type
                    + " (detach the old data plane first)");
        }
    }

    /** The loader sizes both flow tables alike (DataplaneAbi.sizeFlowCache): one geometry serves both. */
    private static void requireSameSize(Map<FlowFamily, BpfMap> flowMaps) {
        if (flowMaps.values().stream().mapToInt(BpfMap::maxEntries).distinct().count() != 1) {
            throw new IllegalStateException("the flow tables differ in size (" + flowMaps.entrySet().stream()
                    .map(e -> e.getKey().mapName() + " " + e.getValue().maxEntries()).toList()
                    + " entries): the loader sizes both alike (DataplaneAbi.sizeFlowCache)");
        }
    }

    /** The maps of a freshly loaded balancer object (own fds: the object may be closed afterwards). */
    public static DataplaneMaps of(BpfObject loadedBalancer) {
        return new DataplaneMaps(loadedBalancer::map);
    }

    /** Adoption: every map by its pin {@code pinDir/<map name>}; a missing pin is an error naming it. */
    public static DataplaneMaps openPinned(Path pinDir) {
        return new DataplaneMaps(name -> BpfMap.openPinned(pinDir.resolve(name)));
    }

    // --- VIPs

    public Map<VipKey, VipMeta> readVips() {
        return vipTable.readAll();
    }

    public void putVip(VipKey key, VipMeta meta) {
        vipTable.put(key, meta);
    }

    public void deleteVip(VipKey key) {
        vipTable.delete(key);
    }

    /** One bucket of the VIP table as raw bytes (tests of what the program sees mid-write). */
    byte[] readVipBucket(int index) {
        return vipTable.readBucket(index);
    }

    void writeVipBucket(int index, byte[] bucket) {
        vipTable.writeBucket(index, bucket);
    }

    // --- backends

    /** Backends whose entry has the in-use flag, by id. */
    public Map<Integer, BackendEntry> readBackends() {
        Map<Integer, BackendEntry> result = new LinkedHashMap<>();
        int n = backends.maxEntries();
        byte[] keys = new byte[n * U32_BYTES];
        byte[] values = new byte[n * BackendEntry.SIZE];
        int read = backends.lookupAll(keys, values);
        ByteBuffer ids = ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder());
        for (int i = 0; i < read; i++) {
            byte[] value = Arrays.copyOfRange(values, i * BackendEntry.SIZE, (i + 1) * BackendEntry.SIZE);
            if (BackendEntry.isInUse(value)) {
                result.put(ids.getInt(i * U32_BYTES), BackendEntry.decode(value));
            }
        }
        return result;
    }

    public void putBackend(int id, BackendEntry entry) {
        backends.update(Codec.u32(id), entry.encode(), UpdateFlags.ANY);
    }

    /** Writes an all-zero entry: the slot is no longer in use (array entries cannot be deleted). */
    public void clearBackend(int id) {
        backends.update(Codec.u32(id), new byte[BackendEntry.SIZE], UpdateFlags.ANY);
    }

    // --- Maglev tables

    /** The backend ids of slots 1..M of the VIP's table, or empty if it has none. */
    public Optional<int[]> readMaglevTable(int vipId) {
        OptionalInt innerId = maglevTableId(vipId);
        if (innerId.isEmpty()) {
            return Optional.empty();
        }
        try (BpfMap inner = BpfMap.fromId(innerId.getAsInt())) {
            int n = inner.maxEntries();
            byte[] keys = new byte[n * U32_BYTES];
            byte[] values = new byte[n * U32_BYTES];
            int read = inner.lookupAll(keys, values);
            ByteBuffer slots = ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder());
            ByteBuffer ids = ByteBuffer.wrap(values).order(ByteOrder.nativeOrder());
            int[] byIndex = new int[n];
            for (int i = 0; i < read; i++) {
                byIndex[slots.getInt(i * U32_BYTES)] = ids.getInt(i * U32_BYTES);
            }
            int size = Math.min(byIndex[DataplaneAbi.MAGLEV_SIZE_SLOT], n - DataplaneAbi.MAGLEV_FIRST_SLOT);
            if (read != n || size <= 0) {
                return Optional.empty();
            }
            return Optional.of(Arrays.copyOfRange(byIndex, DataplaneAbi.MAGLEV_FIRST_SLOT,
                    DataplaneAbi.MAGLEV_FIRST_SLOT + size));
        }
    }

    /**
     * The kernel id of the inner map holding the VIP's table, or empty without one. Every swap
     * installs a new map, so an unchanged id means an unchanged table (the reconciler relies on it
     * to skip reading tables it wrote itself).
     */
    public OptionalInt maglevTableId(int vipId) {
        byte[] innerId = new byte[U32_BYTES];
        if (!maglevTables.lookup(Codec.u32(vipId), innerId)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Codec.readU32(innerId));
    }

    /**
     * Builds a new inner table aside (slot 0 = M, then the backend ids) and installs it with one
     * update of the outer map: packets see the old table or the new one, never a mix.
     */
    public void swapMaglevTable(int vipId, int[] backendIds) {
        int size = backendIds.length;
        if (size == 0 || size > DataplaneAbi.MAGLEV_MAX_SIZE) {
            throw new IllegalArgumentException("Maglev table size must be 1.." + DataplaneAbi.MAGLEV_MAX_SIZE
                    + ", got " + size);
        }
        int entries = size + DataplaneAbi.MAGLEV_FIRST_SLOT;
        ByteBuffer keys = ByteBuffer.allocate(entries * U32_BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(entries * U32_BYTES).order(ByteOrder.nativeOrder());
        keys.putInt(DataplaneAbi.MAGLEV_SIZE_SLOT);
        values.putInt(size);
        for (int slot = 0; slot < size; slot++) {
            keys.putInt(DataplaneAbi.MAGLEV_FIRST_SLOT + slot);
            values.putInt(backendIds[slot]);
        }
        try (BpfMap inner = createInnerTable(vipId, entries)) {
            inner.updateBatch(keys.array(), values.array(), entries);
            maglevTables.update(Codec.u32(vipId), Codec.u32(inner.fd()), UpdateFlags.ANY);
        }
    }

    /**
     * An empty inner map for the VIP's next table, whose epoch none of its recent tables had
     * ({@link RecentTableEpochs}): maps are created until one qualifies, at most
     * {@link #INNER_TABLE_ATTEMPTS} (then the last is kept: about once in 3 billion swaps).
     */
    private BpfMap createInnerTable(int vipId, int entries) {
        if (!tableEpochs.knows(vipId)) {
            maglevTableId(vipId).ifPresent(id -> tableEpochs.remember(vipId, DataplaneAbi.tableEpoch(id)));
        }
        for (int attempt = 1; ; attempt++) {
            BpfMap inner = BpfMap.create(MapType.ARRAY, INNER_MAGLEV_NAME_PREFIX + vipId, U32_BYTES, U32_BYTES,
                    entries, DataplaneAbi.BPF_F_INNER_MAP);
            int epoch = DataplaneAbi.tableEpoch(inner.id());
            if (!tableEpochs.isBarred(vipId, epoch) || attempt == INNER_TABLE_ATTEMPTS) {
                tableEpochs.remember(vipId, epoch);
                return inner;
            }
            inner.close();
        }
    }

    public void clearMaglevTable(int vipId) {
        maglevTables.delete(Codec.u32(vipId));
    }

    // --- configuration

    /** The configuration, or empty while lb_config still holds the all-zero entry it was created with. */
    public Optional<LbConfigEntry> readConfig() {
        byte[] value = new byte[LbConfigEntry.SIZE];
        if (!lbConfig.lookup(Codec.u32(CONFIG_KEY), value) || isAllZero(value)) {
            return Optional.empty();
        }
        return Optional.of(LbConfigEntry.decode(value));
    }

    public void writeConfig(LbConfigEntry config) {
        lbConfig.update(Codec.u32(CONFIG_KEY), config.encode(), UpdateFlags.ANY);
    }

    // --- counters

    public TrafficCounter vipTraffic(int vipId) {
        return traffic(vipStats, vipId);
    }

    public TrafficCounter backendTraffic(int backendId) {
        return traffic(backendStats, backendId);
    }

    /** These VIPs' counters, summed over CPUs, by vip id: a batch read per run of nearby ids. */
    public Map<Integer, TrafficCounter> vipTraffic(Collection<Integer> vipIds) {
        return TrafficReader.read(vipStats, vipIds);
    }

    /** These backends' counters, summed over CPUs, by backend id: a batch read per run of nearby ids. */
    public Map<Integer, TrafficCounter> backendTraffic(Collection<Integer> backendIds) {
        return TrafficReader.read(backendStats, backendIds);
    }

    /** Zeroes a VIP's counters on every CPU, so a reused vip id starts from zero. */
    public void resetVipTraffic(int vipId) {
        vipStats.update(Codec.u32(vipId), new byte[vipStats.userValueSize()], UpdateFlags.ANY);
    }

    public void resetBackendTraffic(int backendId) {
        backendStats.update(Codec.u32(backendId), new byte[backendStats.userValueSize()], UpdateFlags.ANY);
    }

    /** Packets per reason, summed over CPUs (the whole array in one syscall). */
    public Map<Reason, Long> reasonCounts() {
        long[] sums = reasons.sumPerCpuCounters();
        Map<Reason, Long> counts = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            counts.put(reason, reason.value() < sums.length ? sums[reason.value()] : 0L);
        }
        return counts;
    }

    // --- the flow cache: flows4 and flows6c, set-associative, one table each for every CPU (bpf-xdp/README.md)

    /** The flow tables' geometry, the same for both (derived from max_entries, as the program does). */
    public FlowCacheLayout flowLayout() {
        return flowCaches.get(FlowFamily.IPV4).layout();
    }

    /**
     * Where the flow cache sends {@code key}: the entry in its bucket (flow hash & (buckets - 1)) of
     * its family's table that the program would take for a hit (the key's VIP's id, its check
     * holds), if any. Empty when the key's destination is no VIP.
     */
    public Optional<FlowEntry> lookupFlow(FlowKey key) {
        return vipTable.lookup(new VipKey(key.dst(), key.dstPort(), key.protocol()))
                .flatMap(vip -> flowCaches.get(FlowFamily.of(key)).lookup(key, vip.vipId()));
    }

    /** Bucket {@code index} (0 .. flowBucketCount() - 1) of the family's table. For tests and diagnostics. */
    public FlowBucket readFlowBucket(FlowFamily family, int index) {
        return FlowBucket.decode(family, flowCaches.get(family).readBytes(index));
    }

    /** Replaces bucket {@code index} of the bucket's family's table. For tests and diagnostics. */
    public void writeFlowBucket(int index, FlowBucket bucket) {
        flowCaches.get(bucket.family()).writeBytes(index, bucket.encode());
    }

    /** A bucket as raw bytes, check members as given (tests of what racing writers leave). */
    void writeFlowBucketBytes(FlowFamily family, int index, byte[] bucket) {
        flowCaches.get(family).writeBytes(index, bucket);
    }

    /** The bucket count of each table (a power of two). */
    public int flowBucketCount() {
        return flowLayout().buckets();
    }

    /** The bucket the program uses for a flow hash. */
    public int bucketOf(int flowHash) {
        return flowLayout().bucketOf(flowHash);
    }

    /** Occupied ways in both tables (read through the mappings: no syscall, no copy). */
    public long flowCount() {
        long count = 0;
        for (FlowFamily family : FlowFamily.values()) {
            count += flowCount(family, 0, flowBucketCount());
        }
        return count;
    }

    /** Occupied ways in buckets {@code first .. first + buckets - 1} of one table (see {@link FlowOccupancy}). */
    public long flowCount(FlowFamily family, int first, int buckets) {
        return flowCaches.get(family).count(first, buckets);
    }

    /**
     * Flow-cache entries by the backend id that owns them (the low half of the packed id): what a
     * drain that ends reports as still pointing at the backend. Reads both whole tables.
     */
    public Map<Integer, Long> flowsByOwner() {
        Map<Integer, Long> owners = new HashMap<>();
        flowCaches.values().forEach(cache -> cache.tallyOwners(owners));
        return owners;
    }

    /**
     * Empties every bucket of both tables; returns how many ways were occupied. For tests and
     * operators: a packet racing the flush may re-insert its flow (same Maglev choice).
     */
    public long flushFlows() {
        long flushed = 0;
        for (FlowCache cache : flowCaches.values()) {
            flushed += cache.flush();
        }
        return flushed;
    }

    @Override
    public void close() {
        flowCaches.values().forEach(FlowCache::close);
        flowMaps.values().forEach(BpfMap::close);
        for (BpfMap map : List.of(vips, backends, maglevTables, lbConfig, vipStats, backendStats,
                reasons)) {
            map.close();
        }
    }

    private static TrafficCounter traffic(BpfMap stats, int id) {
        byte[] value = new byte[stats.userValueSize()];
        if (!stats.lookup(Codec.u32(id), value)) {
            throw new IllegalArgumentException("id " + id + " is outside " + stats + " (max entries "
                    + stats.maxEntries() + ")");
        }
        return TrafficCounter.sumPerCpu(value);
    }

    private static boolean isAllZero(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
