package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefreshTicksTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final RefreshTicks ticks = new RefreshTicks(Duration.ofSeconds(1), now::get);

    @Test
    void theFirstTickIsOnePeriodAfterStart() {
        assertThat(ticks.nanosUntilDue()).isEqualTo(SECOND);
        now.addAndGet(SECOND / 4);
        assertThat(ticks.nanosUntilDue()).isEqualTo(SECOND * 3 / 4);
    }

    @Test
    void ticksKeepAFixedRateWhenTakenLate() {
        now.addAndGet(SECOND + 300_000_000L); // the loop was busy: the tick is taken 0.3 s late
        assertThat(ticks.nanosUntilDue()).isNegative();
        ticks.taken();
        assertThat(ticks.nanosUntilDue()).as("the next tick stays on the 1 s grid").isEqualTo(700_000_000L);
    }

    @Test
    void ticksMissedWhileBusyAreDroppedNotMadeUpInABurst() {
        now.addAndGet(3 * SECOND + 500_000_000L); // three periods passed while the loop was busy
        ticks.taken();
        assertThat(ticks.nanosUntilDue()).isEqualTo(SECOND);
    }

    @Test
    void aPeriodMustBePositive() {
        assertThatThrownBy(() -> new RefreshTicks(Duration.ZERO, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
