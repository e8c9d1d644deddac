package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.check.CommandCheck;
import io.sluice.health.check.HttpCheck;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.check.UdpCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthCheckConfigTest {
    private static final String BASE = """
            interface: eth0
            encap: { source_v4: 10.0.2.128/25 }
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                %s
                backends:
                  - address: 10.0.2.11
                  - address: 10.0.2.12
                    %s
            """;

    private static String yaml(String vipLines, String backendLines) {
        return BASE.formatted(vipLines.replace("\n", "\n    "), backendLines.replace("\n", "\n        "));
    }

    @Test
    void noCheckMeansUncheckedBackendsAndFailOpen() throws Exception {
        SluiceConfig config = ConfigLoader.parse(yaml("table_size: 65537", "weight: 100"));

        VipConfig vip = config.vips().get(0);
        assertThat(vip.backends()).allSatisfy(b -> assertThat(b.healthCheck()).isEmpty());
        assertThat(vip.whenAllDown()).isEqualTo(AllDownPolicy.FAIL_OPEN);
        assertThat(vip.slowStart()).isZero();
    }

    @Test
    void httpCheckWithDefaultsAndABackendOverride() throws Exception {
        SluiceConfig config = ConfigLoader.parse(yaml("""
                health_check:
                  type: http
                  path: /healthz
                  host: web.example
                  expect_status: "200-299,301"
                  expect_body: ok
                  interval: 500ms
                  timeout: 200ms
                  rise: 3
                  fall: 2
                when_all_down: fail_closed
                slow_start: 30s""", """
                health_check: { port: 8080, path: /ready }"""));

        VipConfig vip = config.vips().get(0);
        HealthCheckConfig plain = vip.backends().get(0).healthCheck().orElseThrow();
        HealthCheckConfig overridden = vip.backends().get(1).healthCheck().orElseThrow();
        assertThat(plain.port()).isEqualTo(80);
        assertThat(plain.spec().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(plain.spec().fastInterval()).as("follows interval").isEqualTo(Duration.ofMillis(500));
        assertThat(plain.spec().rise()).isEqualTo(3);
        HttpCheck http = (HttpCheck) plain.spec().kind();
        assertThat(http.path()).isEqualTo("/healthz");
        assertThat(http.host()).isEqualTo("web.example");
        assertThat(http.expectedStatus().matches(301)).isTrue();
        assertThat(http.expectedStatus().matches(302)).isFalse();
        assertThat(http.bodyContains()).isEqualTo("ok");
        assertThat(overridden.port()).isEqualTo(8080);
        assertThat(((HttpCheck) overridden.spec().kind()).path()).isEqualTo("/ready");
        assertThat(((HttpCheck) overridden.spec().kind()).host()).as("inherited").isEqualTo("web.example");
        assertThat(overridden.spec().rise()).as("inherited").isEqualTo(3);
        assertThat(vip.whenAllDown()).isEqualTo(AllDownPolicy.FAIL_CLOSED);
        assertThat(vip.slowStart()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void backendOverrideWithATypeStartsFromScratch() throws Exception {
        SluiceConfig config = ConfigLoader.parse(yaml("""
                health_check: { type: http, path: /healthz }""", """
                health_check: { type: tcp, port: 22 }"""));

        HealthCheckConfig second = config.vips().get(0).backends().get(1).healthCheck().orElseThrow();
        assertThat(second.spec().kind()).isInstanceOf(TcpCheck.class);
        assertThat(second.port()).isEqualTo(22);
    }

    @Test
    void udpAndCommandChecks() throws Exception {
        SluiceConfig udp = ConfigLoader.parse(yaml("""
                health_check: { type: udp, send_hex: "00 01", expect: pong }""", "weight: 1"));
        SluiceConfig command = ConfigLoader.parse(yaml("""
                health_check: { type: command, command: [/bin/true, "--x"], timeout: 2s, interval: 5s }""",
                "weight: 1"));

        UdpCheck u = (UdpCheck) udp.vips().get(0).backends().get(0).healthCheck().orElseThrow().spec().kind();
        assertThat(u.payload()).containsExactly(0, 1);
        assertThat(new String(u.expect())).isEqualTo("pong");
        CommandCheck c = (CommandCheck) command.vips().get(0).backends().get(0).healthCheck().orElseThrow()
                .spec().kind();
        assertThat(c.command()).containsExactly("/bin/true", "--x");
    }

    @Test
    void badChecksNameTheFieldAndTheReason() {
        assertError(yaml("health_check: { type: smtp }", "weight: 1"), "vips[0].health_check.type",
                "is not a check type");
        assertError(yaml("health_check: { interval: 2 }", "weight: 1"), "vips[0].health_check.interval",
                "is not a duration");
        assertError(yaml("health_check: { interval: 10ms }", "weight: 1"), "vips[0].health_check.interval",
                "must be in 50ms..60m");
        assertError(yaml("health_check: { interval: 1s, timeout: 2s }", "weight: 1"),
                "vips[0].health_check.timeout", "must not be longer than the interval");
        assertError(yaml("health_check: { rise: 0 }", "weight: 1"), "vips[0].health_check.rise", "must be in 1..100");
        assertError(yaml("health_check: { type: http, path: healthz }", "weight: 1"),
                "vips[0].health_check.path", "must start with /");
        assertError(yaml("health_check: { type: http, expect_status: \"600\" }", "weight: 1"),
                "vips[0].health_check.expect_status", "bad status range");
        assertError(yaml("health_check: { type: udp }", "weight: 1"), "vips[0].health_check.send",
                "exactly one of send");
        assertError(yaml("health_check: { type: command, command: [check.sh] }", "weight: 1"),
                "vips[0].health_check.command", "absolute path");
        assertError(yaml("health_check: { intervall: 1s }", "weight: 1"), "vips[0].health_check.intervall",
                "unknown key");
        assertError(yaml("health_check: { type: tcp }", "health_check: { port: 0 }"),
                "vips[0].backends[1].health_check.port", "must be in 1..65535");
        assertError(yaml("when_all_down: fail_sometimes", "weight: 1"), "vips[0].when_all_down",
                "is not a policy");
        assertError(yaml("slow_start: soon", "weight: 1"), "vips[0].slow_start", "is not a duration");
    }
}
