package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.MappedArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The flow cache (the flows map: sluice_abi.h, bpf-xdp/README.md) through its shared mapping: the
 * map is BPF_F_MMAPABLE since ABI 8, so a lookup, a bucket read or write, a count, the owners'
 * tally and the flush are loads and stores in this process, not a syscall and a copy of the
 * table. A pass over the whole default table (131,072 buckets, 26 MB) reads one byte per slot
 * (two for the owners) and writes only the buckets it empties.
 *
 * <p>Owns the mapping, not the map. One thread uses it (the daemon's event loop; a CLI command).
 */
final class FlowCache implements AutoCloseable {

    private final MappedArray table;
    private final FlowCacheLayout layout;

    /** IllegalStateException for a flows map pinned by a build before ABI 8 (not mmapable). */
    FlowCache(BpfMap flows) {
        if ((flows.mapFlags() & MappedArray.F_MMAPABLE) == 0) {
            throw new IllegalStateException("map '" + DataplaneAbi.MAP_FLOWS + "' is not mmapable: it was pinned"
                    + " by a build before ABI " + DataplaneAbi.ABI_VERSION + " (detach the old data plane first)");
        }
        this.layout = FlowCacheLayout.ofMaxEntries(flows.maxEntries());
        this.table = MappedArray.map(flows);
    }

    FlowCacheLayout layout() {
        return layout;
    }

    /** The entry the program would take for a hit on {@code key} (its check holds), if any. */
    Optional<FlowEntry> lookup(FlowKey key) {
        byte[] encoded = key.encode();
        int hash = FlowHash.hash(encoded);
        byte[] value = readBytes(layout.bucketOf(hash));
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            int slot = FlowBucket.slotOffset(way);
            if (FlowSlot.holds(value, slot, encoded)) {
                return FlowSlot.checkHolds(b, slot, hash) ? Optional.of(FlowSlot.decodeOrNull(b, slot).entry())
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    byte[] readBytes(int bucket) {
        byte[] value = new byte[FlowBucket.SIZE];
        table.read(checked(bucket), value);
        return value;
    }

    void writeBytes(int bucket, byte[] value) {
        if (value.length != FlowBucket.SIZE) {
            throw new IllegalArgumentException("a flow bucket is " + FlowBucket.SIZE + " bytes, got " + value.length);
        }
        table.write(checked(bucket), value);
    }

    /** Occupied slots in buckets {@code first .. first + count - 1}. */
    long count(int first, int count) {
        checkRange(first, count);
        long occupied = 0;
        for (int bucket = first; bucket < first + count; bucket++) {
            occupied += occupiedWays(bucket);
        }
        return occupied;
    }

    /** Occupied slots by the backend id that owns them (the low half of the packed id). */
    Map<Integer, Long> byOwner() {
        Map<Integer, Long> owners = new HashMap<>();
        for (int bucket = 0; bucket < layout.buckets(); bucket++) {
            for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
                int slot = FlowBucket.slotOffset(way);
                if (table.getByte(bucket, slot + FlowSlot.EMPTY_MARK_AT) != 0) {
                    int owner = PackedSlot.owner(table.getInt(bucket, slot + FlowSlot.OFFSET_BACKEND_ID));
                    owners.merge(owner, 1L, Long::sum);
                }
            }
        }
        return owners;
    }

    /**
     * Empties every bucket that is not already empty; returns how many slots were occupied. A
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
            if (table.getByte(bucket, FlowBucket.slotOffset(way) + FlowSlot.EMPTY_MARK_AT) != 0) {
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
            throw new IllegalArgumentException("flow buckets " + first + ".." + ((long) first + count - 1)
                    + " are not all in the flow cache's " + layout.buckets());
        }
    }
}
