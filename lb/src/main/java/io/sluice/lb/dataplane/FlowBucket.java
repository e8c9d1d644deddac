package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * struct sluice_flow_bucket: FLOW_WAYS slots of one CPU's flow cache (empty ways are
 * {@code Optional.empty()}) and the way the program replaces next once all are taken.
 */
public record FlowBucket(List<Optional<FlowSlot>> ways, int nextVictim) {

    public static final int SIZE = 200;
    public static final int OFFSET_SLOT = 0;
    public static final int OFFSET_NEXT_VICTIM = OFFSET_SLOT + DataplaneAbi.FLOW_WAYS * FlowSlot.SIZE;
    public static final int OFFSET_PAD = OFFSET_NEXT_VICTIM + Integer.BYTES;

    public FlowBucket {
        if (ways.size() != DataplaneAbi.FLOW_WAYS) {
            throw new IllegalArgumentException("a bucket has " + DataplaneAbi.FLOW_WAYS + " ways, got " + ways.size());
        }
        ways = List.copyOf(ways);
    }

    public static FlowBucket empty() {
        return new FlowBucket(Collections.nCopies(DataplaneAbi.FLOW_WAYS, Optional.empty()), 0);
    }

    public List<FlowSlot> occupied() {
        return ways.stream().flatMap(Optional::stream).toList();
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        for (int way = 0; way < ways.size(); way++) {
            int base = slotOffset(way);
            ways.get(way).ifPresent(slot -> slot.put(b, base));
        }
        b.putInt(OFFSET_NEXT_VICTIM, nextVictim);
        return b.array();
    }

    public static FlowBucket decode(byte[] bytes) {
        return decode(Codec.wrap(bytes, SIZE, "struct sluice_flow_bucket"), 0);
    }

    /** The bucket at {@code base} of a buffer holding {@code SIZE} bytes there. */
    static FlowBucket decode(ByteBuffer b, int base) {
        List<Optional<FlowSlot>> ways = new ArrayList<>(DataplaneAbi.FLOW_WAYS);
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            ways.add(Optional.ofNullable(FlowSlot.decodeOrNull(b, base + slotOffset(way))));
        }
        return new FlowBucket(ways, b.getInt(base + OFFSET_NEXT_VICTIM));
    }

    static int slotOffset(int way) {
        return OFFSET_SLOT + way * FlowSlot.SIZE;
    }
}
