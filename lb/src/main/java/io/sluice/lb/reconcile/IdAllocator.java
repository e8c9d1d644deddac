package io.sluice.lb.reconcile;

import java.util.BitSet;

/**
 * Hands out the lowest free index of a fixed-size BPF array (VIP ids, backend ids).
 * Seeded from what the maps already hold, so ids survive a daemon restart.
 */
final class IdAllocator {
    private final BitSet used = new BitSet();
    private final int capacity;
    private final String what;

    IdAllocator(int capacity, String what) {
        this.capacity = capacity;
        this.what = what;
    }

    void markUsed(int id) {
        used.set(id);
    }

    void release(int id) {
        used.clear(id);
    }

    int allocate() {
        int id = used.nextClearBit(0);
        if (id >= capacity) {
            throw new IllegalStateException("no free " + what + " id: all " + capacity + " are in use");
        }
        used.set(id);
        return id;
    }
}
