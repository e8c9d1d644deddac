package io.sluice.lb.consul;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with "equal jitter": after the n-th failure in a row wait a random time
 * between half and all of min * 2^(n-1), capped at max. The jitter keeps a fleet of LB hosts from
 * hammering an agent (or its servers) in step after an outage; the floor keeps a retry from
 * coming back at once.
 */
public final class Backoff {
    private static final int MAX_DOUBLINGS = 30;

    private final Duration min;
    private final Duration max;
    private final DoubleSupplier random;

    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        this.min = min;
        this.max = max;
        this.random = random;
    }

    public Backoff(Duration min, Duration max) {
        this(min, max, Math::random);
    }

    /** The wait after the given number of consecutive failures (1 = the first). */
    public Duration delay(int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), MAX_DOUBLINGS);
        long ceiling = Math.min(max.toMillis(), min.toMillis() << doublings);
        if (ceiling < 0) {
            ceiling = max.toMillis();
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }
}
