package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * struct sluice_flow4_bucket / sluice_flow6_bucket: the FLOW_WAYS ways of one bucket of a
 * family's table (empty ways are {@code Optional.empty()}) and the way the program replaces next
 * once all are taken. The ways' keys, backends, checks and table epochs are stored member by member
 * ({@link FlowStructs}), so a lookup reads the keys first.
 */
public record FlowBucket(FlowFamily family, List<Optional<FlowWay>> ways, int nextVictim) {

    public FlowBucket {
        if (ways.size() != DataplaneAbi.FLOW_WAYS) {
            throw new IllegalArgumentException("a bucket has " + DataplaneAbi.FLOW_WAYS + " ways, got " + ways.size());
        }
        for (Optional<FlowWay> way : ways) {
            way.filter(w -> w.key().family() != family).ifPresent(w -> {
                throw new IllegalArgumentException("a " + family.label() + " bucket cannot hold " + w.key());
            });
        }
        ways = List.copyOf(ways);
    }

    public static FlowBucket empty(FlowFamily family) {
        return new FlowBucket(family, Collections.nCopies(DataplaneAbi.FLOW_WAYS, Optional.empty()), 0);
    }

    /** A bucket of the family of its ways' keys, the others empty. */
    public static FlowBucket of(List<Optional<FlowWay>> ways, int nextVictim) {
        FlowFamily family = ways.stream().flatMap(Optional::stream).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no way names the family: use empty(family)"))
                .key().family();
        return new FlowBucket(family, ways, nextVictim);
    }

    public List<FlowWay> occupied() {
        return ways.stream().flatMap(Optional::stream).toList();
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(family.bucketSize());
        for (int way = 0; way < ways.size(); way++) {
            int at = way;
            ways.get(way).ifPresent(w -> {
                w.key().put(b, family.keyOffset(at));
                b.putInt(family.backendOffset(at), w.backendId());
                b.putShort(family.checkOffset(at), (short) w.check());
                b.put(family.tableEpochOffset(at), (byte) w.tableEpoch());
            });
        }
        b.putShort(family.nextVictimOffset(), (short) nextVictim);
        return b.array();
    }

    public static FlowBucket decode(FlowFamily family, byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, family.bucketSize(), "a " + family.mapName() + " bucket");
        List<Optional<FlowWay>> ways = new ArrayList<>(DataplaneAbi.FLOW_WAYS);
        for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
            FlowWayKey key = FlowWayKey.decodeOrNull(family, b, family.keyOffset(way));
            ways.add(key == null ? Optional.empty() : Optional.of(new FlowWay(key, b.getInt(family.backendOffset(way)),
                    Codec.unsignedShort(b, family.checkOffset(way)), Byte.toUnsignedInt(b.get(family.tableEpochOffset(way))))));
        }
        return new FlowBucket(family, ways, Codec.unsignedShort(b, family.nextVictimOffset()));
    }
}
