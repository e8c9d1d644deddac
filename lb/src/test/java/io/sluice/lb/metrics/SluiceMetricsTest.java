package io.sluice.lb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Scrapes the real exporter over HTTP on loopback and parses the text exposition. */
class SluiceMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");

    @Test
    void exposesTheDataPlaneCountersHealthAndAlertsOfTheLatestStatus() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics("0.1.0-test");
        metrics.publish(status(true));
        metrics.flowTableFlows("ipv4", 1234);
        metrics.reconciled("startup", Duration.ofMillis(3));
        metrics.reconciled("health", Duration.ofMillis(1));
        metrics.reconcileFailed();
        metrics.healthTransition("web", "10.0.2.12", "down");
        metrics.drainTransition("web", "10.0.2.12", "drained", "quiet");
        metrics.checkResult(new Target(InetAddress.getByName("10.0.2.12"), 80), CheckSpec.tcp(),
                new CheckResult(false, Instant.now(), Duration.ofMillis(2), "Connection refused"));

        Map<String, Double> s = scrape(metrics);

        assertThat(s).containsEntry("sluice_build_info{version=\"0.1.0-test\"}", 1.0);
        assertThat(s).containsEntry("sluice_vip_packets_total{address=\"10.100.0.1\",port=\"80\",protocol=\"tcp\",vip=\"web\"}", 42.0);
        assertThat(s).containsEntry("sluice_vip_bytes_total{address=\"10.100.0.1\",port=\"80\",protocol=\"tcp\",vip=\"web\"}", 4200.0);
        assertThat(s).containsEntry("sluice_backend_packets_total{backend=\"10.0.2.11\",vip=\"web\"}", 40.0);
        assertThat(s).containsEntry("sluice_backend_new_flows_total{backend=\"10.0.2.11\",vip=\"web\"}", 7.0);
        assertThat(s).containsEntry("sluice_backend_up{backend=\"10.0.2.11\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry("sluice_backend_up{backend=\"10.0.2.12\",vip=\"web\"}", 0.0);
        assertThat(s).containsEntry("sluice_backend_effective_weight{backend=\"10.0.2.12\",vip=\"web\"}", 0.0);
        assertThat(s).containsEntry("sluice_vip_all_backends_down{address=\"10.100.0.1\",port=\"80\",protocol=\"tcp\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry("sluice_packets_total{reason=\"tx_forwarded\"}", 42.0);
        assertThat(s).containsEntry("sluice_packets_total{reason=\"drop_truncated\"}", 3.0);
        assertThat(s).containsEntry("sluice_flow_table_flows{family=\"ipv4\"}", 1234.0);
        assertThat(s).containsEntry("sluice_backend_drain_state{backend=\"10.0.2.12\",state=\"draining\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry("sluice_backend_drain_state{backend=\"10.0.2.12\",state=\"active\",vip=\"web\"}", 0.0);
        assertThat(s).containsEntry("sluice_backend_drain_state{backend=\"10.0.2.11\",state=\"active\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry("sluice_drain_transitions_total{backend=\"10.0.2.12\",reason=\"quiet\",to=\"drained\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry("sluice_reconciles_total{cause=\"startup\"}", 1.0);
        assertThat(s).containsEntry("sluice_reconcile_duration_seconds_count", 2.0);
        assertThat(s).containsEntry("sluice_map_update_errors_total", 1.0);
        assertThat(s).containsEntry("sluice_health_transitions_total{backend=\"10.0.2.12\",to=\"down\",vip=\"web\"}", 1.0);
        assertThat(s).containsEntry(
                "sluice_health_check_duration_seconds_count{backend=\"10.0.2.12\",check=\"tcp\",port=\"80\",result=\"fail\"}",
                1.0);
    }

    @Test
    void aNewStatusReplacesTheOldOne() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics("x");
        metrics.publish(status(true));
        metrics.publish(status(false));

        Map<String, Double> s = scrape(metrics);

        assertThat(s).containsEntry("sluice_vip_all_backends_down{address=\"10.100.0.1\",port=\"80\",protocol=\"tcp\",vip=\"web\"}", 0.0);
    }

    @Test
    void eachVipsTableFingerprintIsAnInfoSampleThatFollowsTheLatestStatus() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics("x");
        metrics.publish(withFingerprints("0123456789abcdef", null));
        assertThat(scrape(metrics)).containsEntry("sluice_vip_table_info{fingerprint=\"0123456789abcdef\",vip=\"web\"}", 1.0)
                .doesNotContainKey("sluice_vip_table_info{fingerprint=\"none\",vip=\"dns\"}");

        metrics.publish(withFingerprints("fedcba9876543210", "none"));

        Map<String, Double> s = scrape(metrics);
        assertThat(s).containsEntry("sluice_vip_table_info{fingerprint=\"fedcba9876543210\",vip=\"web\"}", 1.0)
                .containsEntry("sluice_vip_table_info{fingerprint=\"none\",vip=\"dns\"}", 1.0)
                .doesNotContainKey("sluice_vip_table_info{fingerprint=\"0123456789abcdef\",vip=\"web\"}");
    }

    private static DaemonStatus withFingerprints(String web, String dns) {
        VipStatus a = new VipStatus("web", "10.100.0.1", 80, "tcp", 65537, web, false, "fail_open", 0, 0, 0, List.of());
        VipStatus b = new VipStatus("dns", "10.100.0.53", 53, "udp", 251, dns, false, "fail_open", 0, 0, 0, List.of());
        return new DaemonStatus("0.1.0", "eth0", "/sys/fs/bpf/sluice", false, "t0", "t1", "io_uring", List.of(a, b),
                Map.of());
    }

    @Test
    void flowTableOccupancyIsFlowsOverSlots() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics("x");
        metrics.flowTableFlows("ipv4", 1234);
        metrics.flowTableFlows("ipv6", 5);
        metrics.flowTableSlots("ipv4", 262_144);
        metrics.flowTableSlots("ipv6", 262_144);
        metrics.flowTableFlows("ipv4", 1300);

        Map<String, Double> s = scrape(metrics);

        assertThat(s).containsEntry("sluice_flow_table_flows{family=\"ipv4\"}", 1300.0)
                .containsEntry("sluice_flow_table_flows{family=\"ipv6\"}", 5.0)
                .containsEntry("sluice_flow_table_slots{family=\"ipv4\"}", 262144.0)
                .containsEntry("sluice_flow_table_slots{family=\"ipv6\"}", 262144.0);
    }

    @Test
    void adminRequestsAreCountedByMethodAndCodeWithBoundedLabels() throws Exception {
        SluiceMetrics metrics = new SluiceMetrics("x");
        metrics.adminRequest("PATCH", 400);
        metrics.adminRequest("PATCH", 400);
        metrics.adminRequest("BREW", 405);

        Map<String, Double> s = scrape(metrics);

        assertThat(s).containsEntry("sluice_admin_requests_total{code=\"400\",method=\"PATCH\"}", 2.0)
                .containsEntry("sluice_admin_requests_total{code=\"405\",method=\"other\"}", 1.0);
    }

    /** Every sample of a real HTTP scrape, keyed by name and labels (labels sorted by name). */
    private static Map<String, Double> scrape(SluiceMetrics metrics) throws Exception {
        try (MetricsServer server = MetricsServer.start(metrics,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            Map<String, Double> samples = new HashMap<>();
            for (String line : response.body().split("\n")) {
                Matcher m = SAMPLE.matcher(line);
                if (!line.startsWith("#") && m.matches()) {
                    samples.put(m.group(1) + sortedLabels(m.group(2)), Double.parseDouble(m.group(3)));
                }
            }
            return samples;
        }
    }

    private static String sortedLabels(String labels) {
        if (labels == null) {
            return "";
        }
        List<String> parts = new java.util.ArrayList<>(List.of(labels.substring(1, labels.length() - 1).split(",")));
        parts.sort(null);
        return "{" + String.join(",", parts) + "}";
    }

    private static DaemonStatus status(boolean allDown) {
        BackendStatus up = new BackendStatus("10.0.2.11", 100, 100, true, "up", null, "tcp :80", null, 40, 4000, 7, "active", null, null);
        BackendStatus down = new BackendStatus("10.0.2.12", 100, 0, false, "down", null, "tcp :80", null, 2, 200, 1, "draining", "t1", "config");
        VipStatus web = new VipStatus("web", "10.100.0.1", 80, "tcp", 65537, allDown, "fail_open", 42, 4200, 8,
                List.of(up, down));
        return new DaemonStatus("0.1.0", "eth0", "/sys/fs/bpf/sluice", false, "t0", "t1", "io_uring", List.of(web),
                Map.of("tx_forwarded", 42L, "drop_truncated", 3L));
    }
}
