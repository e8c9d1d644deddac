package io.sluice.bench.status;

import io.sluice.bench.maps.LoadedBalancer;
import io.sluice.bench.maps.ThreadCpuBenchmark;
import io.sluice.health.Target;
import io.sluice.health.TargetStatus;
import io.sluice.health.check.CheckResult;
import io.sluice.health.state.HealthState;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.HealthCheckConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.daemon.StatusBuilder;
import io.sluice.lb.dataplane.DataplaneIds;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import io.sluice.lb.reconcile.Reconciler;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.StatusFile;
import io.sluice.lb.steering.HealthBook;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the daemon's thread does for the status after every event and every second, for a config
 * of N health-checked backends over 10 VIPs: {@code build} (the counters from the maps, the health
 * book, every check's last result, the drain states) and {@code writeFile} (the status file, JSON
 * written to a temporary file on tmpfs and renamed). The maps are a loaded balancer.o the
 * reconciler filled with the config. Root only.
 * Run: java -jar bench/target/benchmarks.jar StatusBuild -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StatusBuildBenchmark extends ThreadCpuBenchmark {
    private static final int VIPS = 10;
    private static final int TABLE_SIZE = 1009; // over 500 backends a VIP; its size does not enter the status
    private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    @Param({"100", "1000", "5000"})
    public int backends;

    private LoadedBalancer balancer;
    private SluiceConfig config;
    private DesiredState desired;
    private List<TargetStatus> checks;
    private DataplaneIds ids;
    private DaemonStatus built;
    private Path statusDir;
    private Path statusFile;

    @Setup
    public void setUp() throws ConfigException, IOException {
        balancer = new LoadedBalancer();
        config = ConfigLoader.parse(yaml(backends));
        List<DesiredVip> vips = new ArrayList<>();
        checks = new ArrayList<>();
        CheckResult passed = new CheckResult(true, NOW, Duration.ofMillis(2), "HTTP 200");
        for (VipConfig vip : config.vips()) {
            List<DesiredBackend> chosen = new ArrayList<>();
            for (BackendConfig backend : vip.backends()) {
                chosen.add(new DesiredBackend(backend.address(), backend.weight()));
                HealthCheckConfig check = backend.healthCheck().orElseThrow();
                checks.add(new TargetStatus(new Target(backend.address(), check.port()), check.spec(), HealthState.UP,
                        passed, NOW.toEpochMilli(), 1));
            }
            vips.add(new DesiredVip(vip.name(), vip.key(), vip.tableSize(), chosen));
        }
        desired = new DesiredState(new LbConfigEntry(new byte[] {2, 0, 0, 0, 0, 1}, 1500,
                (Inet4Address) InetAddress.getByName("172.16.0.0"), 0xffff,
                (Inet6Address) InetAddress.getByName("fd00:5c1c::"), 0xff, 0), vips);
        new Reconciler(balancer.maps()).apply(desired);
        ids = new DataplaneIds();
        ids.refresh(1, balancer.maps()::readVips, balancer.maps()::readBackends);
        built = build();
        // tmpfs, as the daemon's /run/sluice
        Path shm = Path.of("/dev/shm");
        statusDir = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "sluice-status-")
                : Files.createTempDirectory("sluice-status-");
        statusFile = statusDir.resolve("status.json");
    }

    @TearDown
    public void tearDown() throws IOException {
        if (balancer != null) {
            balancer.close();
        }
        if (statusDir != null) {
            Files.deleteIfExists(statusFile);
            Files.deleteIfExists(statusDir);
        }
    }

    @Benchmark
    public DaemonStatus build() {
        op();
        return new StatusBuilder("eth0", false, NOW).build(config, desired, Map.of(), Set.of(), new HealthBook(),
                new DrainBook(Set.of()), checks, "io_uring", balancer.maps(), ids, NOW);
    }

    /** The status file as the daemon writes it: JSON to a temporary file, renamed over the last one. */
    @Benchmark
    public Path writeFile() {
        op();
        StatusFile.write(statusFile, built);
        return statusFile;
    }

    /** VIPS VIPs on 10.100.0.x:80, n backends 10.2.x.y in turn, each with an HTTP check. */
    private static String yaml(int n) {
        StringBuilder y = new StringBuilder("interface: eth0\nencap: { source_v4: 172.16.0.0/16 }\nvips:\n");
        for (int v = 0; v < VIPS; v++) {
            y.append("  - name: vip").append(v).append("\n    address: 10.100.0.").append(v + 1)
                    .append("\n    port: 80\n    table_size: ").append(TABLE_SIZE)
                    .append("\n    health_check: { type: http, path: /health, interval: 1s }\n    backends:\n");
            for (int b = v; b < n; b += VIPS) {
                y.append("      - address: 10.2.").append(b >> 8).append('.').append(b & 0xff).append('\n');
            }
        }
        return y.toString();
    }
}
