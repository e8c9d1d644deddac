package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.bpf.CoarseClock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DosRateTest {

    private static final long TICK_4MS = 4_000_000L;

    @Test
    void toleranceIsTheBurstLessOneIntervalWhenThatCoversATick() {
        DosRate rate = new DosRate(100, 10); // 10 ms interval, 90 ms of burst

        assertThat(rate.intervalNanos()).isEqualTo(10_000_000L);
        assertThat(rate.toleranceNanos(TICK_4MS)).isEqualTo(90_000_000L);
        assertThat(rate.effectiveBurst(TICK_4MS)).isEqualTo(10);
    }

    @Test
    void aBurstShorterThanOneTickIsRaisedToOneTickOfTheRate() {
        DosRate rate = new DosRate(1_000_000, 1); // 1 us interval

        assertThat(rate.toleranceNanos(TICK_4MS)).isEqualTo(TICK_4MS);
        assertThat(rate.effectiveBurst(TICK_4MS)).isEqualTo(4_001);
        assertThat(new DosRate(1_000, 3).effectiveBurst(TICK_4MS)).as("1 ms interval").isEqualTo(5);
    }

    @Test
    void noLimitStaysZeroWhateverTheClock() {
        assertThat(DosRate.NONE.toleranceNanos(TICK_4MS)).isZero();
        assertThat(DosRate.NONE.effectiveBurst(TICK_4MS)).isZero();
    }

    @Test
    void theEncodedToleranceUsesThisHostsClockTick() {
        long tick = CoarseClock.tickNanos();
        ByteBuffer b = ByteBuffer.wrap(new DosConfigEntry(0, 0, 0, 0, 0, new DosRate(1_000_000, 1), DosRate.NONE)
                .encode()).order(ByteOrder.nativeOrder());

        assertThat(b.getLong(DosConfigEntry.OFFSET_SOURCE_PACKETS + DosRate.OFFSET_TOLERANCE_NS)).isEqualTo(tick);
        assertThat(b.getLong(DosConfigEntry.OFFSET_SOURCE_PACKETS + DosRate.OFFSET_INTERVAL_NS)).isEqualTo(1_000L);
    }
}
