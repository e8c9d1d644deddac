package io.sluice.health.state;

import java.time.Duration;

/**
 * Weight ramp for a backend that just came UP, so a cold server is not handed its full share of
 * new flows at once. The reconciler applies it; the engine only reports when the target came UP.
 */
public final class SlowStart {
    /** A weight of zero would take the backend out of the table: the ramp starts at one. */
    private static final int MIN_RAMPED_WEIGHT = 1;

    private SlowStart() {
    }

    public static int rampedWeight(Duration sinceUp, Duration slowStart, int weight) {
        if (weight <= 0 || slowStart.isZero() || slowStart.isNegative() || sinceUp.compareTo(slowStart) >= 0) {
            return Math.max(weight, 0);
        }
        if (sinceUp.isNegative()) {
            return MIN_RAMPED_WEIGHT;
        }
        double share = (double) sinceUp.toNanos() / slowStart.toNanos();
        return (int) Math.max(MIN_RAMPED_WEIGHT, Math.ceil(weight * share));
    }

    /** True while the ramp still limits the weight; the reconciler re-evaluates until false. */
    public static boolean ramping(Duration sinceUp, Duration slowStart) {
        return !slowStart.isZero() && !slowStart.isNegative() && sinceUp.compareTo(slowStart) < 0;
    }
}
