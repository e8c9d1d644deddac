package io.sluice.lb.drain;

import java.util.Locale;

/**
 * Where a backend stands in its VIP's rotation (docs/drain.md).
 *
 * <ul>
 *   <li>ACTIVE: takes new flows by its weight.</li>
 *   <li>FILLING: joined or returned (undrained) with slow start: takes new flows at a ramped weight.</li>
 *   <li>DRAINING: out of the Maglev table (no new flows) but in service: flows it has keep reaching
 *       it (flow cache, and second chance for flows the cache lost).</li>
 *   <li>DRAINED: its drain ended (quiet, timeout, or health check down): out of service; it may
 *       be removed from the config, or undrained.</li>
 * </ul>
 */
public enum DrainState {
    ACTIVE,
    FILLING,
    DRAINING,
    DRAINED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Takes new flows (in the Maglev table). */
    public boolean takesNewFlows() {
        return this == ACTIVE || this == FILLING;
    }
}
