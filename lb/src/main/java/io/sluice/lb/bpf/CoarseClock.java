package io.sluice.lb.bpf;

import jnr.ffi.Pointer;

/**
 * CLOCK_MONOTONIC_COARSE, the clock the XDP program's rate limits read (bpf_ktime_get_coarse_ns):
 * it moves once a kernel tick. The daemon needs its step to keep every limit's tolerance at least
 * one tick, and tests read it to check which clock the program stamped.
 */
public final class CoarseClock {

    /** From linux/time.h. */
    private static final int CLOCK_MONOTONIC_COARSE = 6;
    private static final int TIMESPEC_BYTES = 16;
    private static final int OFFSET_NANOS = 8;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static volatile long tickNanos;

    private CoarseClock() {}

    /** How far the clock moves at once: one kernel tick (1 s / CONFIG_HZ). Read once, then kept. */
    public static long tickNanos() {
        long tick = tickNanos;
        if (tick == 0) {
            tick = read(true);
            tickNanos = tick;
        }
        return tick;
    }

    /** The clock now, in the nanoseconds bpf_ktime_get_coarse_ns() returns. */
    public static long nowNanos() {
        return read(false);
    }

    private static long read(boolean resolution) {
        Pointer timespec = Native.allocate(TIMESPEC_BYTES);
        int rc = resolution ? Native.libc().clock_getres(CLOCK_MONOTONIC_COARSE, timespec)
                : Native.libc().clock_gettime(CLOCK_MONOTONIC_COARSE, timespec);
        if (rc != 0) {
            throw new IllegalStateException("CLOCK_MONOTONIC_COARSE cannot be read (rc " + rc + ")");
        }
        return timespec.getLong(0) * NANOS_PER_SECOND + timespec.getLong(OFFSET_NANOS);
    }
}
