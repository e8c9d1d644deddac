package io.sluice.health.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.health.state.HealthState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckSpecTest {

    @Test
    void overridesReplaceOnlyTheFieldsTheySet() {
        CheckSpec vipDefault = CheckSpec.defaults(HttpCheck.get("/healthz"))
                .withInterval(Duration.ofSeconds(5)).withRise(4);

        CheckSpec backend = vipDefault.withOverrides(CheckOverrides.none()
                .withTimeout(Duration.ofMillis(300)).withFall(1).withInitialState(HealthState.UP));

        assertThat(backend.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(backend.rise()).isEqualTo(4);
        assertThat(backend.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(backend.fall()).isEqualTo(1);
        assertThat(backend.initialState()).isEqualTo(HealthState.UP);
        assertThat(backend.kind()).isEqualTo(vipDefault.kind());
        assertThat(vipDefault.withOverrides(CheckOverrides.none())).isEqualTo(vipDefault);
    }

    @Test
    void overrideCanSwitchTheCheckKind() {
        CheckSpec spec = CheckSpec.tcp().withOverrides(CheckOverrides.none().withKind(CommandCheck.of("/bin/true")));
        assertThat(spec.kind()).isEqualTo(CommandCheck.of("/bin/true"));
    }

    @Test
    void initialStateDoesNotChangeTheSharingIdentity() {
        CheckSpec up = CheckSpec.tcp().withInitialState(HealthState.UP);
        CheckSpec down = CheckSpec.tcp().withInitialState(HealthState.DOWN);
        assertThat(up).isNotEqualTo(down);
        assertThat(up.sharingIdentity()).isEqualTo(down.sharingIdentity());
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> CheckSpec.tcp().withRise(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CheckSpec.tcp().withInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CheckSpec.tcp().withJitterPercent(80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpCheck.get("healthz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpCheck.hex("zz", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statusRangesParseListsAndRanges() {
        StatusRanges ranges = StatusRanges.parse("200-299, 301");
        assertThat(ranges.matches(200)).isTrue();
        assertThat(ranges.matches(299)).isTrue();
        assertThat(ranges.matches(301)).isTrue();
        assertThat(ranges.matches(302)).isFalse();
        assertThat(ranges.matches(503)).isFalse();
        assertThat(ranges.toString()).isEqualTo("200-299,301");
        assertThatThrownBy(() -> StatusRanges.parse("300-200")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatusRanges.parse("ok")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void udpPayloadsCompareByContent() {
        assertThat(UdpCheck.hex("DE AD be ef", "")).isEqualTo(UdpCheck.hex("deadbeef", null));
        assertThat(UdpCheck.text("ping", "pong").payload()).containsExactly('p', 'i', 'n', 'g');
        assertThat(UdpCheck.text("ping", null).anyResponse()).isTrue();
    }
}
