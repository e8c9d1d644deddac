package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.MappedArray;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * The flow cache's two tables (ABI 9) and where each keeps a way's in-use mark and backend:
 * {@code flows4} (IPv4, {@link Flow4Bucket}, one cache line per bucket) and {@code flows6} (IPv6,
 * {@link FlowBucket}, the whole key in each slot). Both have the same geometry ({@link FlowCacheLayout}).
 */
public enum FlowFamily {
    IPV4(DataplaneAbi.MAP_FLOWS4, Flow4Bucket.SIZE, DataplaneAbi.AF_INET),
    IPV6(DataplaneAbi.MAP_FLOWS6, FlowBucket.SIZE, DataplaneAbi.AF_INET6);

    private final String mapName;
    private final int bucketSize;
    private final int addressFamily;

    FlowFamily(String mapName, int bucketSize, int addressFamily) {
        this.mapName = mapName;
        this.bucketSize = bucketSize;
        this.addressFamily = addressFamily;
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

    /** Whether way {@code way} of bucket {@code bucket} holds a flow (a read of its mark, nothing decoded). */
    boolean occupied(MappedArray table, int bucket, int way) {
        return switch (this) {
            case IPV4 -> table.getShort(bucket, Flow4Bucket.keyOffset(way) + Flow4Key.OFFSET_VIP_TAG) != 0;
            case IPV6 -> table.getByte(bucket, FlowBucket.slotOffset(way) + FlowSlot.EMPTY_MARK_AT) != 0;
        };
    }

    /** The packed backend id of an occupied way. */
    int backendId(MappedArray table, int bucket, int way) {
        return switch (this) {
            case IPV4 -> table.getInt(bucket, Flow4Bucket.backendOffset(way));
            case IPV6 -> table.getInt(bucket, FlowBucket.slotOffset(way) + FlowSlot.OFFSET_BACKEND_ID);
        };
    }

    /**
     * The entry the program would take for a hit on {@code key} to VIP {@code vipId} in this
     * bucket (flow_place_backend in flow_cache.h): the way holding the key (an IPv4 key carries
     * the VIP id), for the same VIP, whose check holds.
     */
    Optional<FlowEntry> lookup(byte[] bucket, FlowKey key, int vipId, int hash) {
        if (this == IPV4) {
            Flow4Key wanted = Flow4Key.of(key, vipId);
            return Flow4Bucket.decode(bucket).occupied().stream().filter(way -> way.key().equals(wanted)).findFirst()
                    .filter(way -> way.check() == FlowSlot.check(hash, way.backendId())).map(Flow4Slot::entry);
        }
        ByteBuffer b = Codec.wrap(bucket, bucketSize, "a " + mapName + " bucket");
        byte[] encoded = key.encode();
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            int slot = FlowBucket.slotOffset(way);
            if (FlowSlot.holds(bucket, slot, encoded)) {
                FlowEntry entry = FlowSlot.decodeOrNull(b, slot).entry();
                return entry.vipId() == vipId && FlowSlot.checkHolds(b, slot, hash) ? Optional.of(entry)
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
