package io.sluice.health.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JitterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void staysWithinThePercentageAndActuallySpreads() {
        SplittableRandom random = new SplittableRandom(42);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            long delay = Jitter.apply(SECOND, 10, random);
            assertThat(delay).isBetween(900_000_000L, 1_100_000_000L);
            seen.add(delay / 10_000_000L);
        }
        // 10 ms buckets across a 200 ms window: a working jitter fills nearly all of them.
        assertThat(seen.size()).isGreaterThan(15);
    }

    @Test
    void zeroPercentLeavesTheDelayAlone() {
        assertThat(Jitter.apply(SECOND, 0, new SplittableRandom(1))).isEqualTo(SECOND);
    }

    @Test
    void initialDelaysCoverTheWholeInterval() {
        SplittableRandom random = new SplittableRandom(7);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long delay = Jitter.initialDelay(SECOND, random);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(min).isGreaterThanOrEqualTo(0).isLessThan(SECOND / 10);
        assertThat(max).isLessThan(SECOND).isGreaterThan(SECOND * 9 / 10);
    }
}
