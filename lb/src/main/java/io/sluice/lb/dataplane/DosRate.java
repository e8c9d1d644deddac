package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.CoarseClock;
import java.nio.ByteBuffer;

/**
 * struct sluice_dos_rate: a token bucket of {@code burst} tokens refilled at {@code rate} per second,
 * as the GCRA parameters the program uses (interval = 1 s / rate, tolerance = (burst - 1) x interval).
 * Rate 0 is "no limit".
 *
 * <p>The program's clock moves in kernel ticks ({@link CoarseClock}). A tolerance below one tick
 * would lose the credit of every step it cannot hold, and cut the long-run rate to about
 * burst per tick; so the tolerance written is at least one tick, and a burst smaller than one
 * tick of the rate is raised to it ({@link #effectiveBurst}).
 */
public record DosRate(int rate, int burst) {

    public static final int SIZE = 24;
    public static final int OFFSET_INTERVAL_NS = 0;
    public static final int OFFSET_TOLERANCE_NS = 8;
    public static final int OFFSET_RATE = 16;
    public static final int OFFSET_BURST = 20;

    public static final DosRate NONE = new DosRate(0, 0);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public DosRate {
        if (rate < 0 || burst < 0 || (rate > 0 && burst < 1)) {
            throw new IllegalArgumentException("rate and burst must be >= 0, burst >= 1 with a rate: " + rate + "/"
                    + burst);
        }
    }

    public boolean limits() {
        return rate > 0;
    }

    public long intervalNanos() {
        return rate == 0 ? 0 : Math.max(1, NANOS_PER_SECOND / rate);
    }

    /** (burst - 1) x interval, or one clock step when that is longer. */
    public long toleranceNanos(long clockTickNanos) {
        return rate == 0 ? 0 : Math.max((burst - 1L) * intervalNanos(), clockTickNanos);
    }

    /** The burst the program allows with this clock: {@link #burst()}, or one tick's worth of the rate if larger. */
    public long effectiveBurst(long clockTickNanos) {
        return rate == 0 ? 0 : toleranceNanos(clockTickNanos) / intervalNanos() + 1;
    }

    void put(ByteBuffer b, int base) {
        b.putLong(base + OFFSET_INTERVAL_NS, intervalNanos());
        b.putLong(base + OFFSET_TOLERANCE_NS, toleranceNanos(CoarseClock.tickNanos()));
        b.putInt(base + OFFSET_RATE, rate);
        b.putInt(base + OFFSET_BURST, burst);
    }

    static DosRate get(ByteBuffer b, int base) {
        return new DosRate(b.getInt(base + OFFSET_RATE), b.getInt(base + OFFSET_BURST));
    }
}
