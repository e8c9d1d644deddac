package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.health.Target;
import io.sluice.health.TargetStatus;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;
import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.bpf.UpdateFlags;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneIds;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.PinnedBalancer;
import io.sluice.lb.dataplane.TrafficCounter;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.Reconciler;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import io.sluice.lb.steering.HealthBook;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status's counters against the real balancer maps: each VIP and backend gets its own. */
class StatusBuilderTest {
    private static final String CONFIG = String.join("\n",
            "interface: eth0",
            "encap: { source_v4: 172.16.0.0/16, source_v6: \"fd00:5::/96\" }",
            "vips:",
            "  - { name: web, address: 10.100.0.1, port: 80, table_size: 7,",
            "      backends: [{address: 10.0.2.11}, {address: 10.0.2.12}, {address: 10.0.2.13}] }",
            "  - { name: web6, address: \"fd00:100::1\", port: 443, table_size: 7,",
            "      backends: [{address: \"fd00:2::11\"}, {address: \"fd00:2::12\"}] }",
            "  - { name: idle, address: 10.100.0.2, port: 80, table_size: 7, backends: [{address: 10.0.2.14}] }",
            "");
    private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    private PinnedBalancer balancer;
    private BpfObject object;
    private DataplaneMaps maps;

    @BeforeEach
    void load() {
        assumeTrue(BpfTestSupport.isRoot(), "needs root for BPF");
        balancer = PinnedBalancer.load("status-builder", 1024);
        object = balancer.object();
        maps = balancer.maps();
    }

    @AfterEach
    void unload() {
        if (balancer != null) {
            balancer.close();
        }
    }

    @Test
    void everyVipAndBackendShowsItsOwnCountersSummedOverCpus() throws Exception {
        SluiceConfig config = ConfigLoader.parse(CONFIG);
        DesiredState desired = new DesiredStateBuilder(iface -> null).build(config, settings(),
                DesiredStateBuilder.ALL_CONFIGURED);
        new Reconciler(maps).apply(desired);
        DataplaneIds ids = new DataplaneIds();
        ids.refresh(1, maps::readVips, maps::readBackends);
        // Distinct counters per id, so a counter shown under the wrong VIP or backend is seen.
        try (BpfMap vipStats = object.map(DataplaneAbi.MAP_VIP_STATS);
             BpfMap backendStats = object.map(DataplaneAbi.MAP_BACKEND_STATS)) {
            ids.vips().forEach((key, meta) -> {
                if (!key.address().getHostAddress().equals("10.100.0.2")) { // "idle" sent nothing
                    write(vipStats, meta.vipId(), 1_000 * meta.vipId());
                }
                ids.backends(meta.vipId()).values().forEach(id -> write(backendStats, id, 10 * id));
            });
        }

        DaemonStatus status = new StatusBuilder("eth0", false, NOW).build(config, desired, Map.of(), Set.of(),
                new HealthBook(), new DrainBook(Set.of()), List.of(), "epoll", maps, ids, NOW);

        int cpus = BpfMap.possibleCpus();
        Map<String, VipStatus> vips = status.vips().stream()
                .collect(Collectors.toMap(VipStatus::name, Function.identity()));
        assertThat(vips).containsOnlyKeys("web", "web6", "idle");
        for (VipStatus vip : vips.values()) {
            int vipId = ids.vips().get(config.vips().stream().filter(v -> v.name().equals(vip.name())).findFirst()
                    .orElseThrow().key()).vipId();
            long perCpu = vip.name().equals("idle") ? 0 : 1_000L * vipId;
            assertThat(vip.packets()).as(vip.name()).isEqualTo(cpus * perCpu);
            assertThat(vip.newFlows()).as(vip.name()).isEqualTo(cpus * perCpu / 10);
            for (BackendStatus backend : vip.backends()) {
                int id = ids.backends(vipId).get(InetAddress.getByName(backend.address()));
                assertThat(backend.packets()).as(vip.name() + " " + backend.address()).isEqualTo(cpus * 10L * id);
                assertThat(backend.bytes()).as(vip.name() + " " + backend.address()).isEqualTo(cpus * 1_000L * id);
            }
        }
    }

    @Test
    void eachBackendShowsTheLastResultOfItsOwnCheck() throws Exception {
        String webLine = "  - { name: web, address: 10.100.0.1, port: 80, table_size: 7,";
        SluiceConfig config = ConfigLoader.parse(
                CONFIG.replace(webLine, webLine + " health_check: {type: http, path: /h},"));
        DesiredState desired = new DesiredStateBuilder(iface -> null).build(config, settings(),
                DesiredStateBuilder.ALL_CONFIGURED);
        new Reconciler(maps).apply(desired);
        DataplaneIds ids = new DataplaneIds();
        ids.refresh(1, maps::readVips, maps::readBackends);
        CheckSpec spec = config.vips().get(0).backends().get(0).healthCheck().orElseThrow().spec();
        List<TargetStatus> checks = List.of(
                result("10.0.2.11", 80, spec, true, "HTTP 200"),
                result("10.0.2.12", 80, spec, false, "connection refused"),
                result("10.0.2.13", 8080, spec, true, "another port's check"), // not this backend's check
                result("10.0.2.13", 80, spec.withInterval(Duration.ofSeconds(9)), true, "another check"));

        DaemonStatus status = new StatusBuilder("eth0", false, NOW).build(config, desired, Map.of(), Set.of(),
                new HealthBook(), new DrainBook(Set.of()), checks, "epoll", maps, ids, NOW);

        Map<String, BackendStatus> web = status.vips().get(0).backends().stream()
                .collect(Collectors.toMap(BackendStatus::address, Function.identity()));
        assertThat(web.get("10.0.2.11").lastCheck().detail()).isEqualTo("HTTP 200");
        assertThat(web.get("10.0.2.11").lastCheck().passed()).isTrue();
        assertThat(web.get("10.0.2.12").lastCheck().detail()).isEqualTo("connection refused");
        assertThat(web.get("10.0.2.12").lastCheck().passed()).isFalse();
        assertThat(web.get("10.0.2.13").lastCheck()).as("only other checks of its address ran").isNull();
        assertThat(status.vips().get(1).backends()).allSatisfy(b -> assertThat(b.lastCheck()).isNull());
    }

    private static TargetStatus result(String address, int port, CheckSpec spec, boolean passed, String detail)
            throws Exception {
        return new TargetStatus(new Target(InetAddress.getByName(address), port), spec,
                passed ? HealthState.UP : HealthState.DOWN, new CheckResult(passed, NOW, Duration.ofMillis(3), detail),
                NOW.toEpochMilli(), 1);
    }

    /** packets = base, bytes = 100 x base, new flows = base / 10 on every CPU. */
    private static void write(BpfMap stats, int id, long base) {
        ByteArrayOutputStream perCpu = new ByteArrayOutputStream();
        for (int cpu = 0; cpu < BpfMap.possibleCpus(); cpu++) {
            perCpu.writeBytes(new TrafficCounter(base, 100 * base, base / 10).encode());
        }
        stats.update(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(id).array(), perCpu.toByteArray(),
                UpdateFlags.ANY);
    }

    private static LbConfigEntry settings() throws Exception {
        return new LbConfigEntry(new byte[] {2, 0, 0, 0, 0, 3}, 1600,
                (Inet4Address) InetAddress.getByName("172.16.0.0"), 0xffff,
                (Inet6Address) InetAddress.getByName("fd00:5c1c::"), 0xff, 0);
    }
}
