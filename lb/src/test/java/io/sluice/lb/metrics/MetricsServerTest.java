package io.sluice.lb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.net.ServerEventLoop;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The metrics endpoint over real HTTP on loopback: what a scrape, a probe and bad requests get. */
class MetricsServerTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private SluiceMetrics metrics;
    private MetricsServer server;

    private static final long THREAD_EXIT_WAIT_MS = 5_000;

    @BeforeEach
    void start() {
        metrics = new SluiceMetrics("0.1.0-test");
        metrics.adminRequest("GET", 200);
        server = MetricsServer.start(metrics, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aScrapeIsThePrometheusTextFormatAndAConnectionServesManyScrapes() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> r = send(at("/metrics"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(text(r)).contains("sluice_admin_requests_total{code=\"200\",method=\"GET\"} 1.0");
            assertThat(r.headers().firstValueAsLong("content-length")).hasValue(r.body().length);
        }
    }

    @Test
    void openMetricsIsAnsweredWhenAskedFor() throws Exception {
        HttpResponse<byte[]> r = send(at("/metrics").header("Accept", "application/openmetrics-text; version=1.0.0"));

        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/openmetrics-text"));
        assertThat(text(r)).endsWith("# EOF\n");
    }

    @Test
    void gzipIsUsedWhenAccepted() throws Exception {
        HttpResponse<byte[]> r = send(at("/metrics").header("Accept-Encoding", "gzip"));

        assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("sluice_admin_requests_total");
        }
    }

    @Test
    void nameFiltersSelectMetrics() throws Exception {
        String body = text(send(at("/metrics?name[]=sluice_build_info")));

        assertThat(body).contains("sluice_build_info").doesNotContain("sluice_admin_requests_total");
    }

    @Test
    void headGivesTheLengthWithoutABody() throws Exception {
        HttpResponse<byte[]> r = send(at("/metrics").method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void theProbeOtherPathsAndOtherMethodsGetPlainAnswers() throws Exception {
        assertThat(send(at("/-/healthy")).statusCode()).isEqualTo(200);
        assertThat(send(at("/admin")).statusCode()).isEqualTo(404);
        assertThat(send(at("/metrics").POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(405);
        assertThat(send(at("/metrics")).statusCode()).as("still serving after the bad requests").isEqualTo(200);
    }

    @Test
    void anAddressInUseIsAClearErrorAndLeavesNothingRunning() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            Set<Thread> before = metricsThreads();

            assertThatThrownBy(() -> MetricsServer.start(metrics, address))
                    .hasMessageContaining("metrics cannot listen on");
            // The failed start's loop has terminated when start throws; its thread may still be
            // returning from run(). Give it a bounded moment to exit, then none may be left.
            Set<Thread> started = metricsThreads();
            started.removeAll(before);
            for (Thread thread : started) {
                thread.join(THREAD_EXIT_WAIT_MS);
            }
            assertThat(metricsThreads()).isEqualTo(before);
        }
    }

    @Test
    void onTheDaemonsSharedLoopClosingTheServerLeavesTheLoopServing() throws Exception {
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ServerEventLoop loop = ServerEventLoop.start("test-http")) {
            MetricsServer.start(metrics, anyPort, loop).close();
            try (MetricsServer again = MetricsServer.start(metrics, anyPort, loop)) {
                HttpResponse<byte[]> r = send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + again.port() + "/metrics")));
                assertThat(r.statusCode()).isEqualTo(200);
            }
            assertThat(loop.group().isShuttingDown()).isFalse();
        }
    }

    private static Set<Thread> metricsThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sluiced-metrics") && t.isAlive())
                .collect(Collectors.toCollection(HashSet::new));
    }
}
