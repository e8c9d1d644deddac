package io.sluice.lb.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DesiredBackendTest {
    private static final InetAddress ADDRESS = InetAddress.getLoopbackAddress();

    @Test
    void aBackendWithoutASlowStartIsAtItsTargetWeight() {
        DesiredBackend filling = new DesiredBackend(ADDRESS, 100, false, true);

        assertThat(filling.targetWeight()).isEqualTo(100);
        assertThat(filling.ramping()).isFalse();
    }

    @Test
    void aRampingBackendFillsTowardsItsTargetWeight() {
        DesiredBackend ramping = DesiredBackend.ramping(ADDRESS, 20, 100);

        assertThat(ramping.filling()).isTrue();
        assertThat(ramping.ramping()).isTrue();
        assertThat(ramping.weight()).isEqualTo(20);
    }

    @Test
    void aRampGoesUpAndOnlyWhileFilling() {
        assertThatThrownBy(() -> DesiredBackend.ramping(ADDRESS, 100, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ramps up");
        assertThatThrownBy(() -> new DesiredBackend(ADDRESS, 20, false, false, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a filling backend");
    }
}
