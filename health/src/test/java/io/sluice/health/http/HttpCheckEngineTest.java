package io.sluice.health.http;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.closedPort;
import static io.sluice.health.EngineTestSupport.firstResult;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.HttpCheck;
import io.sluice.health.check.StatusRanges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpCheckEngineTest {
    private static HttpServer server;
    private static HealthEngine engine;
    private static Target target;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        server.createContext("/ok", exchange -> reply(exchange, 200, "all healthy"));
        server.createContext("/down", exchange -> reply(exchange, 503, "maintenance"));
        server.createContext("/moved", exchange -> reply(exchange, 301, ""));
        server.createContext("/host", exchange ->
                reply(exchange, 200, "host=" + exchange.getRequestHeaders().getFirst("Host")
                        + " method=" + exchange.getRequestMethod()));
        server.start();
        target = loopback(server.getAddress().getPort());
        engine = HealthEngine.start();
    }

    @AfterAll
    static void stop() {
        engine.close();
        server.stop(0);
    }

    static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean noBody = bytes.length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private CheckResult check(HttpCheck check) {
        return firstResult(engine.watch(target, quick(check), new Recorder()));
    }

    @Test
    void expectedStatusPasses() {
        CheckResult result = check(HttpCheck.get("/ok"));
        assertThat(result.passed()).isTrue();
        assertThat(result.detail()).isEqualTo("HTTP 200");
    }

    @Test
    void unexpectedStatusFailsAndSaysWhichStatus() {
        CheckResult result = check(HttpCheck.get("/down"));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("503");
    }

    @Test
    void statusListDecidesWhatPasses() {
        assertThat(check(HttpCheck.get("/moved").withExpectedStatus(StatusRanges.parse("200-299,301"))).passed()).isTrue();
        assertThat(check(HttpCheck.get("/moved").withExpectedStatus(StatusRanges.parse("200-299"))).passed()).isFalse();
        assertThat(check(HttpCheck.get("/down").withExpectedStatus(StatusRanges.parse("503"))).passed()).isTrue();
    }

    @Test
    void bodySubstringMustBePresent() {
        assertThat(check(HttpCheck.get("/ok").withBodyContains("healthy")).passed()).isTrue();
        CheckResult missing = check(HttpCheck.get("/ok").withBodyContains("degraded"));
        assertThat(missing.passed()).isFalse();
        assertThat(missing.detail()).contains("degraded");
    }

    @Test
    void hostHeaderAndMethodAreSentAsConfigured() {
        HttpCheck check = HttpCheck.get("/host").withHost("svc.example").withMethod("HEAD");
        assertThat(check(check.withMethod("GET").withBodyContains("host=svc.example method=GET")).passed()).isTrue();
        assertThat(check(check).passed()).isTrue();
    }

    @Test
    void closedPortFails() throws IOException {
        CheckResult result = firstResult(engine.watch(loopback(closedPort()), quick(HttpCheck.get("/ok")), new Recorder()));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).containsIgnoringCase("refused");
    }
}
