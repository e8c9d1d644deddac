package io.sluice.lb.daemon;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When the event loop's once-a-second refresh is due. The loop waits on its queue only until the
 * next tick, so no timer thread has to wake up to post the tick: on a VM where a thread's wakeup
 * costs a few tenths of a millisecond, that thread was a tenth of an idle daemon's CPU.
 *
 * <p>Ticks keep a fixed rate; ticks missed while the loop was busy are dropped, not made up in a burst.
 */
final class RefreshTicks {
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private long nextNanos;

    RefreshTicks(Duration period, LongSupplier nanoTime) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("refresh period must be positive: " + period);
        }
        this.periodNanos = period.toNanos();
        this.nanoTime = nanoTime;
        this.nextNanos = nanoTime.getAsLong() + periodNanos;
    }

    /** Nanoseconds until the next tick; zero or less when it is due. */
    long nanosUntilDue() {
        return nextNanos - nanoTime.getAsLong();
    }

    /** The loop took the tick: the next one is a period after this one, or after now if that has passed. */
    void taken() {
        long now = nanoTime.getAsLong();
        nextNanos += periodNanos;
        if (nextNanos - now <= 0) {
            nextNanos = now + periodNanos;
        }
    }
}
