package io.sluice.lb.dataplane;

import java.util.Objects;

/**
 * One way of a flow-table bucket: the key, the backend (packed like a table slot) and the check
 * the program requires of a hit (flow_check in flow_cache.h). The check covers what the key
 * leaves out (it is made from the whole 5-tuple's flow hash), so it is a component here, not
 * derived: use {@link #of} to build the way the program would store for a flow.
 */
public record FlowWay(FlowWayKey key, int backendId, int check) {

    private static final int CHECK_SHIFT = 16;
    private static final int U16_MASK = 0xffff;

    public FlowWay {
        Objects.requireNonNull(key, "key");
        if ((check & ~U16_MASK) != 0) {
            throw new IllegalArgumentException("a check is 16 bits, got " + check);
        }
    }

    /** The way the program stores for {@code flow} to VIP {@code vipId}, sent to {@code backendId}. */
    public static FlowWay of(FlowKey flow, int backendId, int vipId) {
        return new FlowWay(FlowWayKey.of(flow, vipId), backendId, check(FlowHash.hash(flow.encode()), backendId));
    }

    /** The check the program stores and requires: flow_check() in flow_cache.h. */
    public static int check(int flowHash, int packedBackend) {
        return ((flowHash >>> CHECK_SHIFT) ^ packedBackend) & U16_MASK;
    }

    public FlowEntry entry() {
        return new FlowEntry(backendId, key.vipId());
    }
}
