package io.sluice.lb.steering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.reconcile.DesiredBackend;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SteeringDrainTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    private static VipConfig vip(Duration slowStart, boolean drain1, boolean drain2) throws Exception {
        return new VipConfig("web", InetAddress.getByName("10.100.0.1"), 80, Protocol.TCP, 251, List.of(
                new BackendConfig(InetAddress.getByName("10.2.0.1"), 100, Optional.empty(), drain1),
                new BackendConfig(InetAddress.getByName("10.2.0.2"), 100, Optional.empty(), drain2)),
                AllDownPolicy.FAIL_OPEN, slowStart);
    }

    @Test
    void drainingBackendStaysWithItsWeightMarkedDrainingAndDrainedOneLeaves() throws Exception {
        HealthBook health = new HealthBook();
        DrainBook drains = new DrainBook(Set.of());
        drains.observe(List.of(vip(Duration.ZERO, false, false)), health, T0);
        VipConfig vip = vip(Duration.ZERO, true, false);
        drains.observe(List.of(vip), health, T0);

        Steering.Decision d = new Steering().decide(vip, vip.key(), health, drains, T0);

        assertThat(d.backends()).containsExactlyInAnyOrder(
                new DesiredBackend(InetAddress.getByName("10.2.0.1"), 100, true),
                new DesiredBackend(InetAddress.getByName("10.2.0.2"), 100, false));
        assertThat(d.allDown()).isFalse();
    }

    @Test
    void everyBackendDrainedIsNoAlertAndBringsNoneBack() throws Exception {
        HealthBook health = new HealthBook();
        DrainBook drains = new DrainBook(Set.of());
        VipConfig vip = vip(Duration.ZERO, true, true);
        drains.observe(List.of(vip), health, T0); // startup, not in the data plane: DRAINED

        Steering.Decision d = new Steering().decide(vip, vip.key(), health, drains, T0);

        assertThat(d.backends()).isEmpty();
        assertThat(d.allDown()).isFalse();
    }

    @Test
    void undrainedBackendRampsFromItsReturnUnderSlowStart() throws Exception {
        HealthBook health = new HealthBook();
        DrainBook drains = new DrainBook(Set.of());
        Duration slowStart = Duration.ofSeconds(10);
        drains.observe(List.of(vip(slowStart, false, false)), health, T0);
        drains.observe(List.of(vip(slowStart, true, false)), health, T0);
        VipConfig back = vip(slowStart, false, false);
        drains.observe(List.of(back), health, T0.plusSeconds(20));

        Steering.Decision d = new Steering().decide(back, back.key(), health, drains, T0.plusSeconds(25));

        int be1 = d.backends().stream().filter(b -> b.address().getHostAddress().equals("10.2.0.1"))
                .findFirst().orElseThrow().weight();
        assertThat(be1).isBetween(1, 99);
        assertThat(d.ramping()).isTrue();
    }
}
