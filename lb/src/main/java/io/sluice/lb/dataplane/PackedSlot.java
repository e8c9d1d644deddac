package io.sluice.lb.dataplane;

/**
 * A Maglev table slot (and a flow-cache slot's backend id) as the data plane reads it: the
 * bucket's owner in the low 16 bits and, while the bucket's previous owner drains, that previous
 * owner ("second chance", docs/drain.md). Packing both in one u32 makes them swap together with
 * the table, and lets the flow cache keep the pair.
 */
public final class PackedSlot {
    private PackedSlot() {}

    /** A slot with no previous owner: the backend id itself. */
    public static int of(int owner) {
        checkId(owner);
        return owner;
    }

    public static int of(int owner, int previousOwner) {
        checkId(owner);
        checkId(previousOwner);
        return owner | (previousOwner << DataplaneAbi.SLOT_PREV_SHIFT) | DataplaneAbi.SLOT_PREV_VALID;
    }

    public static int owner(int packed) {
        return packed & DataplaneAbi.SLOT_BACKEND_MASK;
    }

    /** The previous owner, or -1 if the slot names none. */
    public static int previousOwner(int packed) {
        if ((packed & DataplaneAbi.SLOT_PREV_VALID) == 0) {
            return -1;
        }
        return (packed >>> DataplaneAbi.SLOT_PREV_SHIFT) & DataplaneAbi.SLOT_PREV_MASK;
    }

    private static void checkId(int id) {
        if (id < 0 || id >= DataplaneAbi.MAX_BACKENDS) {
            throw new IllegalArgumentException("backend id out of range 0.." + (DataplaneAbi.MAX_BACKENDS - 1) + ": " + id);
        }
    }
}
