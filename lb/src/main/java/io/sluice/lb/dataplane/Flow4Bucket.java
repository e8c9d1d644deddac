package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * struct sluice_flow4_bucket: the FLOW_WAYS ways of one {@code flows4} bucket (empty ways are
 * {@code Optional.empty()}) and the way the program replaces next once all are taken. One cache
 * line: the ways' keys, backends and checks are stored member by member, not way by way.
 */
public record Flow4Bucket(List<Optional<Flow4Slot>> ways, int nextVictim) {

    public static final int SIZE = 64;
    public static final int OFFSET_KEY = 0;
    public static final int OFFSET_BACKEND_ID = OFFSET_KEY + DataplaneAbi.FLOW_WAYS * Flow4Key.SIZE;
    public static final int OFFSET_CHECK = OFFSET_BACKEND_ID + DataplaneAbi.FLOW_WAYS * Integer.BYTES;
    public static final int OFFSET_NEXT_VICTIM = OFFSET_CHECK + DataplaneAbi.FLOW_WAYS * Short.BYTES;
    public static final int OFFSET_PAD = OFFSET_NEXT_VICTIM + Short.BYTES;

    public Flow4Bucket {
        if (ways.size() != DataplaneAbi.FLOW_WAYS) {
            throw new IllegalArgumentException("a bucket has " + DataplaneAbi.FLOW_WAYS + " ways, got " + ways.size());
        }
        ways = List.copyOf(ways);
    }

    public static Flow4Bucket empty() {
        return new Flow4Bucket(Collections.nCopies(DataplaneAbi.FLOW_WAYS, Optional.empty()), 0);
    }

    public List<Flow4Slot> occupied() {
        return ways.stream().flatMap(Optional::stream).toList();
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        for (int way = 0; way < ways.size(); way++) {
            int at = way;
            ways.get(way).ifPresent(slot -> {
                slot.key().put(b, keyOffset(at));
                b.putInt(backendOffset(at), slot.backendId());
                b.putShort(checkOffset(at), (short) slot.check());
            });
        }
        b.putShort(OFFSET_NEXT_VICTIM, (short) nextVictim);
        return b.array();
    }

    public static Flow4Bucket decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_flow4_bucket");
        List<Optional<Flow4Slot>> ways = new ArrayList<>(DataplaneAbi.FLOW_WAYS);
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            Flow4Key key = Flow4Key.decodeOrNull(b, keyOffset(way));
            ways.add(key == null ? Optional.empty() : Optional.of(new Flow4Slot(key, b.getInt(backendOffset(way)),
                    Codec.unsignedShort(b, checkOffset(way)))));
        }
        return new Flow4Bucket(ways, Codec.unsignedShort(b, OFFSET_NEXT_VICTIM));
    }

    static int keyOffset(int way) {
        return OFFSET_KEY + way * Flow4Key.SIZE;
    }

    static int backendOffset(int way) {
        return OFFSET_BACKEND_ID + way * Integer.BYTES;
    }

    static int checkOffset(int way) {
        return OFFSET_CHECK + way * Short.BYTES;
    }
}
