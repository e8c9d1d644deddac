package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.MappedArray;
import java.util.Map;
import java.util.Optional;

/**
 * One table of the flow cache ({@code flows4} or {@code flows6c}: sluice_abi.h, bpf-xdp/README.md)
 * through its shared mapping: the maps are BPF_F_MMAPABLE, so a lookup, a bucket read or write, a
 * count, the owners' tally and the flush are loads and stores in this process, not a syscall and a
 * copy of the table. A pass over a whole table reads one mark per way (and the backend id for the
 * owners) and writes only the buckets it empties.
 *
 * <p>Owns the mapping, not the map. One thread uses it (the daemon's event loop; a CLI command).
 */
final class FlowCache implements AutoCloseable {

    private final FlowFamily family;
    private final MappedArray table;
    private final FlowCacheLayout layout;

    /** IllegalStateException for a map that is not mmapable (pinned by a build before ABI 8). */
    FlowCache(FlowFamily family, BpfMap map) {
        if ((map.mapFlags() & MappedArray.F_MMAPABLE) == 0) {
            throw new IllegalStateException("map '" + family.mapName() + "' is not mmapable: it was not created by"
                    + " a build of ABI " + DataplaneAbi.ABI_VERSION + " (detach the old data plane first)");
        }
        this.family = family;
        this.layout = FlowCacheLayout.ofMaxEntries(map.maxEntries());
        this.table = MappedArray.map(map);
    }

    FlowCacheLayout layout() {
        return layout;
    }

    /** The entry the program would take for a hit on {@code key} to VIP {@code vipId} (its check holds), if any. */
    Optional<FlowEntry> lookup(FlowKey key, int vipId) {
        int hash = FlowHash.hash(key.encode());
        return family.lookup(readBytes(layout.bucketOf(hash)), key, vipId, hash);
    }

    byte[] readBytes(int bucket) {
        byte[] value = new byte[family.bucketSize()];
        table.read(checked(bucket), value);
        return value;
    }

    void writeBytes(int bucket, byte[] value) {
        if (value.length != family.bucketSize()) {
            throw new IllegalArgumentException("a " + family.mapName() + " bucket is " + family.bucketSize()
                    + " bytes, got " + value.length);
        }
        table.write(checked(bucket), value);
    }

    /** Occupied ways in buckets {@code first .. first + count - 1}. */
    long count(int first, int count) {
        checkRange(first, count);
        long occupied = 0;
        for (int bucket = first; bucket < first + count; bucket++) {
            occupied += occupiedWays(bucket);
        }
        return occupied;
    }

    /** Adds this table's occupied ways to {@code owners}, by the backend id that owns them (the packed id's low half). */
    void tallyOwners(Map<Integer, Long> owners) {
        for (int bucket = 0; bucket < layout.buckets(); bucket++) {
            for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
                if (family.occupied(table, bucket, way)) {
                    owners.merge(PackedSlot.owner(family.backendId(table, bucket, way)), 1L, Long::sum);
                }
            }
        }
    }

    /**
     * Empties every bucket that is not already empty; returns how many ways were occupied. A
     * packet racing the flush may re-insert its flow (the same Maglev choice).
     */
    long flush() {
        long flushed = 0;
        for (int bucket = 0; bucket < layout.buckets(); bucket++) {
            if (!table.isZero(bucket)) {
                flushed += occupiedWays(bucket);
                table.clear(bucket);
            }
        }
        return flushed;
    }

    @Override
    public void close() {
        table.close();
    }

    private int occupiedWays(int bucket) {
        int occupied = 0;
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            if (family.occupied(table, bucket, way)) {
                occupied++;
            }
        }
        return occupied;
    }

    private int checked(int bucket) {
        checkRange(bucket, 1);
        return bucket;
    }

    private void checkRange(int first, int count) {
        if (first < 0 || count < 0 || (long) first + count > layout.buckets()) {
            throw new IllegalArgumentException(family.mapName() + " buckets " + first + ".." + ((long) first + count - 1)
                    + " are not all in its " + layout.buckets());
        }
    }
}
