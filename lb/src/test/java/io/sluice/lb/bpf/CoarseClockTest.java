package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoarseClockTest {

    @Test
    void tickIsOneOverAKernelHzBetween100And1000() {
        assertThat(CoarseClock.tickNanos()).isBetween(1_000_000L, 10_000_000L);
    }

    @Test
    void neverRunsAheadOfTheMonotonicClockNorBackwards() {
        long coarse = CoarseClock.nowNanos();
        long fine = System.nanoTime(); // CLOCK_MONOTONIC on Linux

        assertThat(coarse).isPositive().isLessThanOrEqualTo(fine);
        assertThat(CoarseClock.nowNanos()).isGreaterThanOrEqualTo(coarse);
    }
}
