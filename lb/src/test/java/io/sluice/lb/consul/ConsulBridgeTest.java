package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.IpLiteral;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.metrics.ConsulMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's Consul glue: start on first use, token refusal, restore after restart, update outcomes. */
class ConsulBridgeTest {
    private static SluiceConfig config(Path dir, String consulSection, String backends) throws Exception {
        return ConfigLoader.parse("""
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                consul: %s
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    backends: %s
                """.formatted(consulSection.replace("}", ", cache_file: " + dir.resolve("cache.json") + "}"),
                        backends));
    }

    private static ConsulBridge bridge(LinkedBlockingQueue<DiscoveryUpdate> sink) {
        return new ConsulBridge(new ConsulMetrics(new PrometheusRegistry()), sink::add, Map.of(), "test");
    }

    @Test
    void aConfigWithoutConsulStartsNothing(@TempDir Path dir) throws Exception {
        try (ConsulAgentDouble agent = new ConsulAgentDouble(); ConsulBridge b = bridge(new LinkedBlockingQueue<>())) {
            SluiceConfig c = config(dir, "{address: \"" + agent.address() + "\"}", "[{address: 10.0.2.1}]");
            b.prepare(c);
            assertThat(b.apply(c)).isEqualTo(c);
            Thread.sleep(200);
            assertThat(agent.requests()).as("no call to the agent").isEmpty();
        }
    }

    @Test
    void aTokenFileOthersCanReadStopsTheStartWithTheReason(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "secret-token");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        SluiceConfig c = config(dir, "{address: \"http://127.0.0.1:1\", token_file: " + token + "}",
                "{consul: {service: web}}");
        try (ConsulBridge b = bridge(new LinkedBlockingQueue<>())) {
            assertThatThrownBy(() -> b.prepare(c)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("consul:").hasMessageContaining("readable or writable by others");
        }
    }

    @Test
    void updatesAreAppliedCachedAndRestoredAfterARestart(@TempDir Path dir) throws Exception {
        try (ConsulAgentDouble agent = new ConsulAgentDouble()) {
            SluiceConfig c = config(dir, "{address: \"" + agent.address() + "\", retry_min: 20ms, retry_max: 100ms}",
                    "{consul: {service: web}}");
            LinkedBlockingQueue<DiscoveryUpdate> sink = new LinkedBlockingQueue<>();
            try (ConsulBridge b = bridge(sink)) {
                b.prepare(c);
                assertThat(b.apply(c).vips().get(0).backends()).as("nothing known yet").isEmpty();
                DiscoveryUpdate empty = sink.poll(10, TimeUnit.SECONDS);
                assertThat(empty).isNotNull();
                assertThat(b.accept(empty, c)).isEqualTo(ConsulBridge.Outcome.RECONCILE);
                DiscoveryUpdate update = new DiscoveryUpdate("web", c.vips().get(0).discovery().orElseThrow(),
                        List.of(new BackendConfig(IpLiteral.parse("10.0.2.5"), 100, Optional.empty(), false)), 0, 99);
                assertThat(b.accept(update, c)).isEqualTo(ConsulBridge.Outcome.RECONCILE);
                assertThat(b.accept(update, c)).as("the same set again").isEqualTo(ConsulBridge.Outcome.NOTHING);
                assertThat(b.merge(c).vips().get(0).backends()).extracting(x -> x.address().getHostAddress())
                        .containsExactly("10.0.2.5");
                DiscoveryUpdate allFailing = new DiscoveryUpdate("web", update.discovery(), List.of(), 2, 100);
                assertThat(b.accept(allFailing, c)).as("fail_open keeps the backends")
                        .isEqualTo(ConsulBridge.Outcome.VERDICT_ONLY);
                assertThat(b.merge(c).vips().get(0).backends()).hasSize(1);
            }
            agent.stop(); // the restarted daemon finds the agent down
            try (ConsulBridge restarted = bridge(new LinkedBlockingQueue<>())) {
                restarted.prepare(c);
                assertThat(restarted.apply(c).vips().get(0).backends()).extracting(x -> x.address().getHostAddress())
                        .as("the last discovered set, from the cache").containsExactly("10.0.2.5");
            }
        }
    }
}
