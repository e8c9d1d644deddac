package io.sluice.lb.dataplane;

import java.util.Objects;

/**
 * One way of a flow-table bucket: the key, the backend (packed like a table slot), the check
 * the program requires of a hit (flow_check in flow_cache.h) and the epoch of the VIP's table the
 * way last agreed with ({@link DataplaneAbi#tableEpoch}; {@link DataplaneAbi#TABLE_EPOCH_NONE} in
 * a way an ABI 10 program wrote). The check covers what the key leaves out (it is made from the
 * whole 5-tuple's flow hash), so it is a component here, not derived: use {@link #of} to build the
 * way the program would store for a flow.
 */
public record FlowWay(FlowWayKey key, int backendId, int check, int tableEpoch) {

    private static final int CHECK_SHIFT = 16;
    private static final int U16_MASK = 0xffff;
    private static final int U8_MASK = 0xff;

    public FlowWay {
        Objects.requireNonNull(key, "key");
        if ((check & ~U16_MASK) != 0) {
            throw new IllegalArgumentException("a check is 16 bits, got " + check);
        }
        if ((tableEpoch & ~U8_MASK) != 0) {
            throw new IllegalArgumentException("a table epoch is 8 bits, got " + tableEpoch);
        }
    }

    /**
     * The way the program stores for {@code flow} to VIP {@code vipId}, sent to {@code backendId},
     * chosen from the table of epoch {@code tableEpoch}.
     */
    public static FlowWay of(FlowKey flow, int backendId, int vipId, int tableEpoch) {
        return new FlowWay(FlowWayKey.of(flow, vipId), backendId, check(FlowHash.hash(flow.encode()), backendId),
                tableEpoch);
    }

    /** The check the program stores and requires: flow_check() in flow_cache.h. */
    public static int check(int flowHash, int packedBackend) {
        return ((flowHash >>> CHECK_SHIFT) ^ packedBackend) & U16_MASK;
    }

    public FlowEntry entry() {
        return new FlowEntry(backendId, key.vipId());
    }
}
