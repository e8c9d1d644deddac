package io.sluice.health.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RiseFallMachineTest {

    @Test
    void downTargetNeedsRiseConsecutivePassesToComeUp() {
        RiseFallMachine machine = new RiseFallMachine(3, 2, HealthState.DOWN);

        assertThat(machine.record(true).changed()).isFalse();
        assertThat(machine.record(true).changed()).isFalse();
        Transition third = machine.record(true);

        assertThat(third).isEqualTo(new Transition(HealthState.DOWN, HealthState.UP));
        assertThat(machine.state()).isEqualTo(HealthState.UP);
        assertThat(machine.streak()).isZero();
    }

    @Test
    void upTargetNeedsFallConsecutiveFailuresToGoDown() {
        RiseFallMachine machine = new RiseFallMachine(2, 3, HealthState.UP);

        machine.record(false);
        machine.record(false);
        assertThat(machine.state()).isEqualTo(HealthState.UP);
        assertThat(machine.record(false)).isEqualTo(new Transition(HealthState.UP, HealthState.DOWN));
    }

    @Test
    void aVerdictThatAgreesWithTheStateClearsTheStreak() {
        RiseFallMachine machine = new RiseFallMachine(2, 3, HealthState.UP);

        machine.record(false);
        machine.record(false);
        machine.record(true);
        machine.record(false);
        machine.record(false);

        assertThat(machine.state()).isEqualTo(HealthState.UP);
        assertThat(machine.streak()).isEqualTo(2);
    }

    @Test
    void flappingBackendNeverChangesStateWhenRiseAndFallExceedOne() {
        RiseFallMachine machine = new RiseFallMachine(2, 2, HealthState.UP);
        int transitions = 0;
        for (int i = 0; i < 100; i++) {
            if (machine.record(i % 2 == 0).changed()) {
                transitions++;
            }
        }
        assertThat(transitions).isZero();
        assertThat(machine.state()).isEqualTo(HealthState.UP);
    }

    @Test
    void flappingWithRiseAndFallOfOneFollowsEveryVerdict() {
        RiseFallMachine machine = new RiseFallMachine(1, 1, HealthState.DOWN);
        int transitions = 0;
        for (int i = 0; i < 10; i++) {
            if (machine.record(i % 2 == 0).changed()) {
                transitions++;
            }
        }
        assertThat(transitions).isEqualTo(10);
    }

    @Test
    void cadenceIsFastWhileChangingAndDownWhileStablyDown() {
        RiseFallMachine machine = new RiseFallMachine(2, 2, HealthState.UP);
        assertThat(machine.cadence()).isEqualTo(Cadence.NORMAL);

        machine.record(false);
        assertThat(machine.cadence()).isEqualTo(Cadence.FAST);

        machine.record(false);
        assertThat(machine.state()).isEqualTo(HealthState.DOWN);
        assertThat(machine.cadence()).isEqualTo(Cadence.DOWN);

        machine.record(true);
        assertThat(machine.cadence()).isEqualTo(Cadence.FAST);

        machine.record(true);
        assertThat(machine.cadence()).isEqualTo(Cadence.NORMAL);
    }

    @Test
    void resumedMachineKeepsItsStreak() {
        RiseFallMachine machine = new RiseFallMachine(3, 3, HealthState.DOWN, 2);

        assertThat(machine.changing()).isTrue();
        assertThat(machine.record(true).to()).isEqualTo(HealthState.UP);
    }

    @Test
    void rejectsZeroThresholds() {
        assertThatThrownBy(() -> new RiseFallMachine(0, 1, HealthState.DOWN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
