package io.sluice.lb.steering;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.EngineOptions;
import io.sluice.health.HealthEngine;
import io.sluice.health.state.HealthState;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The supervisor with the real engine against real sockets on loopback. */
class HealthSupervisorTest {
    private static final long WAIT_SECONDS = 10;

    @Test
    void backendWhoseServerStopsIsReportedDownAndComesBackUp() throws Exception {
        BlockingQueue<HealthEvent> events = new LinkedBlockingQueue<>();
        HealthBook book = new HealthBook();
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        SluiceConfig config = ConfigLoader.parse(config(port));

        try (HealthSupervisor supervisor = new HealthSupervisor(HealthEngine.start(EngineOptions.defaults()),
                events::add)) {
            supervisor.apply(config, book, true, Instant.now());
            BackendRef ref = book.get(anyRef(config)).isPresent() ? anyRef(config) : null;
            assertThat(ref).as("the checked backend is tracked").isNotNull();
            assertThat(book.get(ref).orElseThrow().state()).as("assumed up at startup").isEqualTo(HealthState.UP);

            server.close(); // connections are now refused
            HealthEvent down = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(down).as("a DOWN transition within %ds", WAIT_SECONDS).isNotNull();
            assertThat(down.to()).isEqualTo(HealthState.DOWN);
            assertThat(down.backend()).isEqualTo(ref);
            assertThat(book.apply(down, Instant.now())).isTrue();

            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            HealthEvent up = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(up).as("an UP transition within %ds", WAIT_SECONDS).isNotNull();
            assertThat(up.to()).isEqualTo(HealthState.UP);
            assertThat(supervisor.checks()).hasSize(1);
            assertThat(supervisor.checks().get(0).lastResult()).isNotNull();
        } finally {
            server.close();
        }
    }

    @Test
    void anAdoptingDaemonAssumesUpOnlyTheBackendsTheDataPlaneServes() throws Exception {
        HealthBook book = new HealthBook();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             HealthSupervisor supervisor = new HealthSupervisor(HealthEngine.start(EngineOptions.defaults()),
                     e -> { })) {
            SluiceConfig config = ConfigLoader.parse(config(server.getLocalPort()));
            BackendRef ref = anyRef(config);

            supervisor.apply(config, book, r -> false, Instant.now());

            assertThat(book.get(ref).orElseThrow().state()).isEqualTo(HealthState.DOWN);
            assertThat(book.get(ref).orElseThrow().since()).isAfter(Instant.EPOCH);
        }
    }

    @Test
    void reloadKeepsUnchangedWatchesAndDropsRemovedOnes() throws Exception {
        HealthBook book = new HealthBook();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             HealthSupervisor supervisor = new HealthSupervisor(HealthEngine.start(EngineOptions.defaults()),
                     e -> { })) {
            SluiceConfig withCheck = ConfigLoader.parse(config(server.getLocalPort()));
            supervisor.apply(withCheck, book, true, Instant.now());
            BackendRef ref = anyRef(withCheck);
            assertThat(book.isTracked(ref)).isTrue();

            SluiceConfig withoutCheck = ConfigLoader.parse(config(server.getLocalPort())
                    .replaceAll("(?s)    health_check:.*?\\n    backends:", "    backends:"));
            supervisor.apply(withoutCheck, book, false, Instant.now());

            assertThat(book.isTracked(ref)).isFalse();
            assertThat(supervisor.checks()).isEmpty();
        }
    }

    private static BackendRef anyRef(SluiceConfig config) {
        var vip = config.vips().get(0);
        return new BackendRef(new io.sluice.lb.dataplane.VipKey(vip.address(), vip.port(), vip.protocol()),
                vip.backends().get(0).address());
    }

    private static String config(int checkPort) {
        return """
                interface: lo
                gateway_mac: "02:00:00:00:00:03"
                encap: { source_v4: 10.0.2.128/25 }
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    health_check:
                      type: tcp
                      port: %d
                      interval: 100ms
                      timeout: 100ms
                      rise: 2
                      fall: 2
                      jitter_percent: 0
                    backends:
                      - address: 127.0.0.1
                """.formatted(checkPort);
    }
}
