package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.MappedArray;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * The flow cache's two tables and their buckets' layout: {@code flows4} (IPv4, one cache line per
 * bucket) and {@code flows6c} (IPv6, two lines, ABI 10). Both store the ways member by member
 * ({@link FlowStructs}) and have the same geometry ({@link FlowCacheLayout}).
 */
public enum FlowFamily {
    IPV4(DataplaneAbi.MAP_FLOWS4, DataplaneAbi.AF_INET, FlowStructs.Key4.SIZE, FlowStructs.Key4.OFFSET_SPORT,
            FlowStructs.Key4.OFFSET_VIP_TAG, FlowStructs.Bucket4.SIZE, FlowStructs.Bucket4.OFFSET_KEY,
            FlowStructs.Bucket4.OFFSET_BACKEND_ID, FlowStructs.Bucket4.OFFSET_CHECK,
            FlowStructs.Bucket4.OFFSET_NEXT_VICTIM, FlowStructs.Bucket4.OFFSET_TABLE_EPOCH),
    IPV6(DataplaneAbi.MAP_FLOWS6, DataplaneAbi.AF_INET6, FlowStructs.Key6.SIZE, FlowStructs.Key6.OFFSET_SPORT,
            FlowStructs.Key6.OFFSET_VIP_TAG, FlowStructs.Bucket6.SIZE, FlowStructs.Bucket6.OFFSET_KEY,
            FlowStructs.Bucket6.OFFSET_BACKEND_ID, FlowStructs.Bucket6.OFFSET_CHECK,
            FlowStructs.Bucket6.OFFSET_NEXT_VICTIM, FlowStructs.Bucket6.OFFSET_TABLE_EPOCH);

    private final String mapName;
    private final int addressFamily;
    private final int keySize;
    private final int sportOffset;
    private final int vipTagOffset;
    private final int bucketSize;
    private final int keysOffset;
    private final int backendIdsOffset;
    private final int checksOffset;
    private final int nextVictimOffset;
    private final int tableEpochsOffset;

    FlowFamily(String mapName, int addressFamily, int keySize, int sportOffset, int vipTagOffset, int bucketSize,
            int keysOffset, int backendIdsOffset, int checksOffset, int nextVictimOffset, int tableEpochsOffset) {
        this.mapName = mapName;
        this.addressFamily = addressFamily;
        this.keySize = keySize;
        this.sportOffset = sportOffset;
        this.vipTagOffset = vipTagOffset;
        this.bucketSize = bucketSize;
        this.keysOffset = keysOffset;
        this.backendIdsOffset = backendIdsOffset;
        this.checksOffset = checksOffset;
        this.nextVictimOffset = nextVictimOffset;
        this.tableEpochsOffset = tableEpochsOffset;
    }

    public String mapName() {
        return mapName;
    }

    public int bucketSize() {
        return bucketSize;
    }

    /** The metrics' label: "ipv4", "ipv6". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The table the program keeps {@code key} in. */
    public static FlowFamily of(FlowKey key) {
        return key.family() == IPV4.addressFamily ? IPV4 : IPV6;
    }

    /** The table a flow from client {@code src} is kept in. */
    public static FlowFamily of(InetAddress src) {
        return src instanceof Inet4Address ? IPV4 : IPV6;
    }

    int addressFamily() {
        return addressFamily;
    }

    /** Where way {@code way}'s key starts in a bucket, and its port and VIP tag within the key. */
    public int keyOffset(int way) {
        return keysOffset + way * keySize;
    }

    int sportOffset() {
        return sportOffset;
    }

    int vipTagOffset() {
        return vipTagOffset;
    }

    /** Where way {@code way}'s packed backend id is in a bucket. */
    public int backendOffset(int way) {
        return backendIdsOffset + way * Integer.BYTES;
    }

    /** Where way {@code way}'s check is in a bucket. */
    public int checkOffset(int way) {
        return checksOffset + way * Short.BYTES;
    }

    public int nextVictimOffset() {
        return nextVictimOffset;
    }

    /** Where way {@code way}'s table epoch (one byte) is in a bucket. */
    public int tableEpochOffset(int way) {
        return tableEpochsOffset + way;
    }

    /** Whether way {@code way} of bucket {@code bucket} holds a flow (a read of its tag, nothing decoded). */
    boolean occupied(MappedArray table, int bucket, int way) {
        return table.getShort(bucket, keyOffset(way) + vipTagOffset) != 0;
    }

    /** The packed backend id of an occupied way. */
    int backendId(MappedArray table, int bucket, int way) {
        return table.getInt(bucket, backendOffset(way));
    }

    /**
     * The entry the program would take for a hit on {@code key} to VIP {@code vipId} in this
     * bucket (flow_place_backend in flow_cache.h): the way holding the key (which carries the
     * VIP id) whose check holds.
     */
    Optional<FlowEntry> lookup(byte[] bucket, FlowKey key, int vipId, int hash) {
        FlowWayKey wanted = FlowWayKey.of(key, vipId);
        return FlowBucket.decode(this, bucket).occupied().stream().filter(way -> way.key().equals(wanted)).findFirst()
                .filter(way -> way.check() == FlowWay.check(hash, way.backendId())).map(FlowWay::entry);
    }
}
