package io.sluice.lb.dataplane;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The table epochs ({@link DataplaneAbi#tableEpoch}) of each VIP's last {@link #RECENT} Maglev
 * tables, so that a swap never installs a table whose epoch one of them had.
 *
 * <p>Why: a flow-cache way remembers the epoch of the table it last agreed with, and the program
 * re-checks a way only when that epoch differs from the current table's. A stale way (its flow
 * moved to another LB host, then came back after the table changed) is caught only then. The
 * epoch is one byte of a hash of the inner map's kernel id, so without this choice one new table
 * in 256 would carry the epoch of any given older one and its stale ways would be trusted.
 * Rejecting a map costs one create and close: with 128 of 256 epochs barred, two maps per swap
 * on average.
 *
 * <p>The history is this process's: after a restart it starts from the table in place. Owned by
 * the daemon's one writer thread, like {@link DataplaneMaps}' writes.
 */
final class RecentTableEpochs {

    /** How many of a VIP's latest tables a new table's epoch must differ from: half of the 256. */
    static final int RECENT = 128;

    private final Map<Integer, ArrayDeque<Integer>> byVip = new HashMap<>();

    /** Whether this process has a history for the VIP yet (it swapped one of its tables, or seeded it). */
    boolean knows(int vipId) {
        return byVip.containsKey(vipId);
    }

    /**
     * Whether a new table of the VIP must not have this epoch: one of its last {@link #RECENT}
     * tables had it, or it is {@link DataplaneAbi#TABLE_EPOCH_NONE}: a table with it would trust
     * every way written before ABI 11.
     */
    boolean isBarred(int vipId, int epoch) {
        ArrayDeque<Integer> recent = byVip.get(vipId);
        return epoch == DataplaneAbi.TABLE_EPOCH_NONE || recent != null && recent.contains(epoch);
    }

    /** Records the epoch of the table just installed; the oldest falls out past {@link #RECENT}. */
    void remember(int vipId, int epoch) {
        ArrayDeque<Integer> recent = byVip.computeIfAbsent(vipId, id -> new ArrayDeque<>(RECENT));
        if (recent.size() == RECENT) {
            recent.removeFirst();
        }
        recent.addLast(epoch);
    }
}
