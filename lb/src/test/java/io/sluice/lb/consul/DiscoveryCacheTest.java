package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.IpLiteral;
import io.sluice.lb.config.SluiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryCacheTest {
    private static SluiceConfig config(String service, int weight) throws Exception {
        return ConfigLoader.parse("""
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    backends: {consul: {service: %s, weight: %d}}
                  - name: api
                    address: 10.100.0.2
                    port: 80
                    backends: [{address: 10.0.2.1}]
                """.formatted(service, weight));
    }

    @Test
    void aRestartStartsFromTheLastDiscoveredSet(@TempDir Path dir) throws Exception {
        SluiceConfig before = config("web", 100);
        DiscoveredBackends discovered = new DiscoveredBackends();
        discovered.accept(new DiscoveryUpdate("web", before.vips().get(0).discovery().orElseThrow(), List.of(
                new BackendConfig(IpLiteral.parse("10.0.2.7"), 100, Optional.empty(), false),
                new BackendConfig(IpLiteral.parse("10.0.2.8"), 100, Optional.empty(), true)), 0, 42), before);
        DiscoveryCache cache = new DiscoveryCache(dir.resolve("state/consul-discovered.json"));
        cache.write(discovered.latest());
        assertThat(cache.file()).exists();

        SluiceConfig after = config("web", 3);
        DiscoveredBackends restarted = new DiscoveredBackends();
        cache.read(after).forEach(u -> restarted.accept(u, after));
        assertThat(restarted.merge(after).vips().get(0).backends()).containsExactly(
                new BackendConfig(IpLiteral.parse("10.0.2.7"), 3, Optional.empty(), false),
                new BackendConfig(IpLiteral.parse("10.0.2.8"), 3, Optional.empty(), true));
        assertThat(cache.read(config("other", 3))).as("another service: not reused").isEmpty();
    }

    @Test
    void aDamagedOrMissingFileRestoresNothingBad(@TempDir Path dir) throws Exception {
        DiscoveryCache cache = new DiscoveryCache(dir.resolve("c.json"));
        assertThat(cache.read(config("web", 1))).isEmpty();
        Files.writeString(cache.file(), "{\"web\": {\"service\": \"web\", \"backends\": [{\"address\": \"evil\"},"
                + " {\"address\": \"10.0.2.1\"}]}}");
        assertThat(cache.read(config("web", 1))).singleElement().satisfies(u ->
                assertThat(u.backends()).extracting(b -> b.address().getHostAddress()).containsExactly("10.0.2.1"));
        Files.writeString(cache.file(), "[1, 2]");
        assertThat(cache.read(config("web", 1))).isEmpty();
    }
}
