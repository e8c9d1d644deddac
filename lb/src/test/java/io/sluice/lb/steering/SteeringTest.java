package io.sluice.lb.steering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;
import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.HealthCheckConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.reconcile.DesiredBackend;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SteeringTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private static final Optional<HealthCheckConfig> TCP_CHECK = Optional.of(new HealthCheckConfig(CheckSpec.tcp(), 80));

    private final HealthBook book = new HealthBook();
    private final Steering steering = new Steering();

    @Test
    void downBackendLeavesTheVipAndUncheckedOnesAlwaysStay() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_OPEN, Duration.ZERO,
                checked("10.0.2.11", 100), checked("10.0.2.12", 100), unchecked("10.0.2.13", 50));
        VipKey key = key(vip);
        trackUp(key, "10.0.2.11", "10.0.2.12");

        goes(key, "10.0.2.12", HealthState.DOWN);
        Steering.Decision d = steering.decide(vip, key, book, T0.plusSeconds(10));

        assertThat(d.backends()).extracting(b -> b.address().getHostAddress())
                .containsExactlyInAnyOrder("10.0.2.11", "10.0.2.13");
        assertThat(d.allDown()).isFalse();
    }

    @Test
    void slowStartRampsTheWeightOfABackendThatCameUp() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_OPEN, Duration.ofSeconds(10), checked("10.0.2.11", 100),
                checked("10.0.2.12", 100));
        VipKey key = key(vip);
        trackUp(key, "10.0.2.11");
        book.track(new BackendRef(key, InetAddress.getByName("10.0.2.12")), HealthState.DOWN, T0);
        book.apply(new HealthEvent(new BackendRef(key, InetAddress.getByName("10.0.2.12")), HealthState.DOWN,
                HealthState.UP, passed()), T0.plusSeconds(100));

        Steering.Decision early = steering.decide(vip, key, book, T0.plusSeconds(102));
        Steering.Decision done = steering.decide(vip, key, book, T0.plusSeconds(111));

        assertThat(weightOf(early, "10.0.2.12")).isEqualTo(20);
        assertThat(backendOf(early, "10.0.2.12").targetWeight()).as("the ramp's end, for the table's hints")
                .isEqualTo(100);
        assertThat(backendOf(early, "10.0.2.12").ramping()).isTrue();
        assertThat(weightOf(early, "10.0.2.11")).as("serving since startup: no ramp").isEqualTo(100);
        assertThat(backendOf(early, "10.0.2.11").ramping()).isFalse();
        assertThat(early.ramping()).isTrue();
        assertThat(weightOf(done, "10.0.2.12")).isEqualTo(100);
        assertThat(backendOf(done, "10.0.2.12").ramping()).isFalse();
        assertThat(done.ramping()).isFalse();
    }

    @Test
    void failOpenKeepsTheLastBackendsWhenAllAreDown() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_OPEN, Duration.ZERO, checked("10.0.2.11", 100),
                checked("10.0.2.12", 100), checked("10.0.2.13", 100));
        VipKey key = key(vip);
        trackUp(key, "10.0.2.11", "10.0.2.12", "10.0.2.13");
        goes(key, "10.0.2.11", HealthState.DOWN);
        steering.decide(vip, key, book, T0.plusSeconds(1));

        goes(key, "10.0.2.12", HealthState.DOWN);
        goes(key, "10.0.2.13", HealthState.DOWN);
        Steering.Decision d = steering.decide(vip, key, book, T0.plusSeconds(2));

        assertThat(d.allDown()).isTrue();
        assertThat(d.backends()).extracting(b -> b.address().getHostAddress())
                .containsExactlyInAnyOrder("10.0.2.12", "10.0.2.13");
    }

    @Test
    void failOpenWithNoHistoryUsesEveryConfiguredBackend() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_OPEN, Duration.ZERO, checked("10.0.2.11", 3), checked("10.0.2.12", 4));
        VipKey key = key(vip);
        book.track(new BackendRef(key, InetAddress.getByName("10.0.2.11")), HealthState.DOWN, T0);
        book.track(new BackendRef(key, InetAddress.getByName("10.0.2.12")), HealthState.DOWN, T0);

        Steering.Decision d = steering.decide(vip, key, book, T0);

        assertThat(d.allDown()).isTrue();
        assertThat(d.backends()).extracting(DesiredBackend::weight).containsExactlyInAnyOrder(3, 4);
    }

    @Test
    void failClosedEmptiesTheVip() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_CLOSED, Duration.ZERO, checked("10.0.2.11", 100));
        VipKey key = key(vip);
        trackUp(key, "10.0.2.11");
        goes(key, "10.0.2.11", HealthState.DOWN);

        Steering.Decision d = steering.decide(vip, key, book, T0.plusSeconds(1));

        assertThat(d.allDown()).isTrue();
        assertThat(d.backends()).isEmpty();
    }

    @Test
    void recoveryEndsTheAlert() throws Exception {
        VipConfig vip = vip(AllDownPolicy.FAIL_OPEN, Duration.ZERO, checked("10.0.2.11", 100));
        VipKey key = key(vip);
        trackUp(key, "10.0.2.11");
        goes(key, "10.0.2.11", HealthState.DOWN);
        assertThat(steering.decide(vip, key, book, T0.plusSeconds(1)).allDown()).isTrue();

        goes(key, "10.0.2.11", HealthState.UP);

        Steering.Decision d = steering.decide(vip, key, book, T0.plusSeconds(2));
        assertThat(d.allDown()).isFalse();
        assertThat(d.backends()).hasSize(1);
    }

    private void trackUp(VipKey key, String... addresses) throws Exception {
        for (String a : addresses) {
            book.track(new BackendRef(key, InetAddress.getByName(a)), HealthState.UP, Instant.EPOCH);
        }
    }

    private void goes(VipKey key, String address, HealthState to) throws Exception {
        BackendRef ref = new BackendRef(key, InetAddress.getByName(address));
        HealthState from = book.get(ref).orElseThrow().state();
        assertThat(book.apply(new HealthEvent(ref, from, to, passed()), T0)).isTrue();
    }

    private static CheckResult passed() {
        return new CheckResult(true, T0, Duration.ofMillis(1), "test");
    }

    private static int weightOf(Steering.Decision d, String address) {
        return backendOf(d, address).weight();
    }

    private static DesiredBackend backendOf(Steering.Decision d, String address) {
        return d.backends().stream().filter(b -> b.address().getHostAddress().equals(address))
                .findFirst().orElseThrow();
    }

    private static VipConfig vip(AllDownPolicy policy, Duration slowStart, BackendConfig... backends)
            throws Exception {
        return new VipConfig("web", InetAddress.getByName("10.100.0.1"), 80, Protocol.TCP, 65537, List.of(backends),
                policy, slowStart);
    }

    private static VipKey key(VipConfig vip) {
        return new VipKey(vip.address(), vip.port(), vip.protocol());
    }

    private static BackendConfig checked(String address, int weight) throws Exception {
        return new BackendConfig(InetAddress.getByName(address), weight, TCP_CHECK);
    }

    private static BackendConfig unchecked(String address, int weight) throws Exception {
        return new BackendConfig(InetAddress.getByName(address), weight);
    }
}
