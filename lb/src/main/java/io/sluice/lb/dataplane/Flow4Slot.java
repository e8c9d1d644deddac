package io.sluice.lb.dataplane;

import java.util.Objects;

/**
 * One way of a {@code flows4} bucket: the key, the backend (packed like a table slot) and the
 * check the program requires of a hit (flow_check in flow_cache.h). The check covers what the
 * key leaves out (it is made from the whole 5-tuple's flow hash), so it is a component here, not
 * derived: use {@link #of} to build the way the program would store for a flow.
 */
public record Flow4Slot(Flow4Key key, int backendId, int check) {

    private static final int U16_MASK = 0xffff;

    public Flow4Slot {
        Objects.requireNonNull(key, "key");
        if ((check & ~U16_MASK) != 0) {
            throw new IllegalArgumentException("a check is 16 bits, got " + check);
        }
    }

    /** The way the program stores for {@code flow} (IPv4) to VIP {@code vipId}, sent to {@code backendId}. */
    public static Flow4Slot of(FlowKey flow, int backendId, int vipId) {
        return new Flow4Slot(Flow4Key.of(flow, vipId), backendId,
                FlowSlot.check(FlowHash.hash(flow.encode()), backendId));
    }

    public FlowEntry entry() {
        return new FlowEntry(backendId, key.vipId());
    }
}
