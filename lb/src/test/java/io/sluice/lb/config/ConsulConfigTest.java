package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsulConfigTest {
    private static final String HEAD = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:01"
            encap:
              source_v4: 172.16.0.0/16
            """;

    private static String vip(String extra) {
        return HEAD + """
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                """ + extra.indent(4);
    }

    @Test
    void readsTheSectionTheRegistrationAndDiscovery() throws Exception {
        SluiceConfig c = ConfigLoader.parse(HEAD + """
                consul:
                  address: http://10.9.9.9:8500
                  token_file: /etc/sluice/consul.token
                  ttl: 5s
                  deregister_critical_after: 2m
                  wait: 30s
                  retry_min: 200ms
                  retry_max: 10s
                  max_response_bytes: 1048576
                  cache_file: /var/lib/sluice/c.json
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    consul: {service: web-edge, tags: [edge, v2]}
                    health_check: {type: tcp, interval: 1s}
                    backends:
                      consul: {service: web, tag: blue, weight: 7, max_backends: 12}
                """);
        ConsulConfig s = c.consul();
        assertThat(s.address()).contains(URI.create("http://10.9.9.9:8500"));
        assertThat(s.tokenFile()).contains(Path.of("/etc/sluice/consul.token"));
        assertThat(s.ttl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.deregisterAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.blockingWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.retryMin()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.retryMax()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.maxResponseBytes()).isEqualTo(1_048_576);
        assertThat(s.cacheFile()).isEqualTo(Path.of("/var/lib/sluice/c.json"));
        VipConfig web = c.vips().get(0);
        assertThat(web.consul()).contains(new ConsulRegistration("web-edge", List.of("edge", "v2")));
        ConsulDiscovery d = web.discovery().orElseThrow();
        assertThat(d.service()).isEqualTo("web");
        assertThat(d.tag()).contains("blue");
        assertThat(d.weight()).isEqualTo(7);
        assertThat(d.maxBackends()).isEqualTo(12);
        assertThat(d.healthCheck()).as("the VIP's check applies to discovered backends").isPresent();
        assertThat(web.backends()).as("filled by discovery at run time").isEmpty();
        assertThat(c.usesConsul()).isTrue();
    }

    @Test
    void defaultsWithoutTheSection() throws Exception {
        SluiceConfig c = ConfigLoader.parse(vip("""
                backends:
                  consul: {service: web}
                """));
        assertThat(c.consul()).isEqualTo(ConsulConfig.DEFAULTS);
        ConsulDiscovery d = c.vips().get(0).discovery().orElseThrow();
        assertThat(d.tag()).isEmpty();
        assertThat(d.weight()).isEqualTo(ConfigLimits.DEFAULT_WEIGHT);
        assertThat(d.healthCheck()).isEmpty();
        assertThat(ConfigLoader.parse(vip("backends: [{address: 10.0.2.1}]")).usesConsul()).isFalse();
    }

    @Test
    void listFormStillWorksAlongsideRegistration() throws Exception {
        SluiceConfig c = ConfigLoader.parse(vip("""
                consul: {service: web}
                backends: [{address: 10.0.2.1}]
                """));
        assertThat(c.vips().get(0).consul()).contains(new ConsulRegistration("web", List.of()));
        assertThat(c.vips().get(0).discovery()).isEmpty();
        assertThat(c.vips().get(0).backends()).hasSize(1);
    }

    @Test
    void badValuesNameTheirField() {
        assertError(HEAD + "consul: {address: \"ftp://x\"}\nvips: []\n", "consul.address", "not an agent address");
        assertError(HEAD + "consul: {address: \"http://h:8500/v1\"}\nvips: []\n", "consul.address",
                "not an agent address");
        assertError(HEAD + "consul: {token_file: relative/token}\nvips: []\n", "consul.token_file", "absolute");
        assertError(HEAD + "consul: {cache_file: c.json}\nvips: []\n", "consul.cache_file", "absolute");
        assertError(HEAD + "consul: {ttl: 500ms}\nvips: []\n", "consul.ttl", "must be in 1s..10m");
        assertError(HEAD + "consul: {wait: 11m}\nvips: []\n", "consul.wait", "must be in");
        assertError(HEAD + "consul: {deregister_critical_after: 10s}\nvips: []\n", "consul.deregister_critical_after",
                "must be in 1m");
        assertError(HEAD + "consul: {retry_min: 5s, retry_max: 1s}\nvips: []\n", "consul.retry_max",
                "shorter than retry_min");
        assertError(HEAD + "consul: {max_response_bytes: 10}\nvips: []\n", "consul.max_response_bytes", "must be in");
        assertError(HEAD + "consul: {adress: x}\nvips: []\n", "consul.adress", "did you mean address?");
        assertError(HEAD + "consul: [1]\nvips: []\n", "consul", "must be a mapping");
    }

    @Test
    void badRegistrationNamesItsField() {
        assertError(vip("consul: {tags: [a]}\nbackends: []"), "vips[0].consul.service", "required");
        assertError(vip("consul: {service: \"web_edge\"}\nbackends: []"), "vips[0].consul.service",
                "not a Consul service name");
        assertError(vip("consul: {service: web, tags: [a, a]}\nbackends: []"), "vips[0].consul.tags[1]",
                "duplicate tag");
        assertError(vip("consul: {service: web, tags: [\"a b\"]}\nbackends: []"), "vips[0].consul.tags[0]",
                "not a tag");
        assertError(vip("consul: {service: web, tags: [1]}\nbackends: []"), "vips[0].consul.tags[0]",
                "must be a string");
        assertError(vip("consul: {service: web, tag: a}\nbackends: []"), "vips[0].consul.tag",
                "did you mean tags?");
    }

    @Test
    void badDiscoveryNamesItsField() {
        assertError(vip("backends: {consul: {tag: a}}"), "vips[0].backends.consul.service", "required");
        assertError(vip("backends: {dns: {service: a}}"), "vips[0].backends.dns", "unknown key");
        assertError(vip("backends: {consul: {service: web, weight: -1}}"), "vips[0].backends.consul.weight",
                "must be in");
        assertError(vip("backends: {consul: {service: web, max_backends: 13}}\ntable_size: 13"),
                "vips[0].backends.consul.max_backends", "must be in 1..12");
        assertError(vip("backends: {consul: {service: \"-web\"}}"), "vips[0].backends.consul.service",
                "not a Consul service name");
        assertError(vip("backends: {consul: {service: web, tag: \"x y\"}}"), "vips[0].backends.consul.tag",
                "not a tag");
        assertError(vip("backends: \"web\""), "vips[0].backends", "must be a list");
    }

    @Test
    void discoveredSlotsCountTowardsTheDataPlaneCapacity() {
        StringBuilder yaml = new StringBuilder(HEAD + "vips:\n");
        for (int i = 0; i < 3; i++) {
            yaml.append("  - {name: v").append(i).append(", address: 10.100.0.").append(i + 1)
                    .append(", port: 80, backends: {consul: {service: web, max_backends: 6000}}}\n");
        }
        assertError(yaml.toString(), "vips", "at most " + ConfigLimits.MAX_BACKENDS + " backends");
    }

    @Test
    void optionalConsulFieldsAreEmptyByDefault() throws Exception {
        VipConfig v = ConfigLoader.parse(vip("backends: [{address: 10.0.2.1}]")).vips().get(0);
        assertThat(v.consul()).isEqualTo(Optional.empty());
        assertThat(v.discovery()).isEqualTo(Optional.empty());
    }
}
