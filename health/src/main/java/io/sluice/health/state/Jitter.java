package io.sluice.health.state;

import java.util.random.RandomGenerator;

/** Spreads delays so that thousands of checks configured together do not fire in step. */
public final class Jitter {
    private static final double PERCENT = 100.0;

    private Jitter() {
    }

    /** {@code nanos} moved uniformly by up to {@code percent}% either way. */
    public static long apply(long nanos, int percent, RandomGenerator random) {
        if (percent == 0) {
            return nanos;
        }
        double spread = percent / PERCENT;
        double factor = 1.0 + random.nextDouble(-spread, spread);
        return Math.max(1, Math.round(nanos * factor));
    }

    /** First run of a new check: anywhere within one interval, so a bulk load spreads out. */
    public static long initialDelay(long intervalNanos, RandomGenerator random) {
        return random.nextLong(intervalNanos);
    }
}
