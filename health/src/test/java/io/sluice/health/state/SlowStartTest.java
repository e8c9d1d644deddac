package io.sluice.health.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SlowStartTest {
    private static final Duration RAMP = Duration.ofSeconds(60);

    @Test
    void rampsLinearlyFromOneToTheFullWeight() {
        assertThat(SlowStart.rampedWeight(Duration.ZERO, RAMP, 100)).isEqualTo(1);
        assertThat(SlowStart.rampedWeight(Duration.ofSeconds(15), RAMP, 100)).isEqualTo(25);
        assertThat(SlowStart.rampedWeight(Duration.ofSeconds(30), RAMP, 100)).isEqualTo(50);
        assertThat(SlowStart.rampedWeight(Duration.ofSeconds(60), RAMP, 100)).isEqualTo(100);
        assertThat(SlowStart.rampedWeight(Duration.ofSeconds(600), RAMP, 100)).isEqualTo(100);
    }

    @Test
    void noRampWhenDisabledAndZeroWeightStaysZero() {
        assertThat(SlowStart.rampedWeight(Duration.ZERO, Duration.ZERO, 7)).isEqualTo(7);
        assertThat(SlowStart.rampedWeight(Duration.ofSeconds(1), RAMP, 0)).isZero();
        assertThat(SlowStart.ramping(Duration.ofSeconds(1), RAMP)).isTrue();
        assertThat(SlowStart.ramping(Duration.ofSeconds(61), RAMP)).isFalse();
        assertThat(SlowStart.ramping(Duration.ofSeconds(1), Duration.ZERO)).isFalse();
    }
}
