package io.sluice.health.udp;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.firstResult;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.UdpCheck;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UdpCheckEngineTest {
    private static final String ANSWER = "PONG ok";

    private static DatagramSocket responder;
    private static DatagramSocket silent;
    private static Thread responderThread;
    private static HealthEngine engine;

    @BeforeAll
    static void start() throws IOException {
        responder = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        silent = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        responderThread = new Thread(UdpCheckEngineTest::answerUntilClosed, "udp-responder");
        responderThread.setDaemon(true);
        responderThread.start();
        engine = HealthEngine.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        engine.close();
        responder.close();
        silent.close();
        responderThread.join(5_000);
    }

    /** Answers every datagram with a fixed text until the socket is closed. */
    private static void answerUntilClosed() {
        byte[] buffer = new byte[512];
        byte[] answer = ANSWER.getBytes(StandardCharsets.US_ASCII);
        while (!responder.isClosed()) {
            try {
                DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                responder.receive(request);
                responder.send(new DatagramPacket(answer, answer.length, request.getSocketAddress()));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private CheckResult check(DatagramSocket socket, UdpCheck check) {
        return firstResult(engine.watch(loopback(socket.getLocalPort()),
                quick(check).withTimeout(Duration.ofMillis(400)), new Recorder()));
    }

    @Test
    void anyAnswerPassesWhenNothingIsExpected() {
        CheckResult result = check(responder, UdpCheck.text("PING", null));
        assertThat(result.passed()).as(result.detail()).isTrue();
    }

    @Test
    void expectedBytesMustBeInTheAnswer() {
        assertThat(check(responder, UdpCheck.text("PING", "ok")).passed()).isTrue();
        assertThat(check(responder, UdpCheck.hex("01", "504f4e47")).passed()).isTrue();
        CheckResult wrong = check(responder, UdpCheck.text("PING", "NXDOMAIN"));
        assertThat(wrong.passed()).isFalse();
        assertThat(wrong.detail()).contains("lacks");
    }

    @Test
    void noAnswerTimesOut() {
        CheckResult result = check(silent, UdpCheck.text("PING", null));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("timed out");
    }

    @Test
    void closedPortFailsOnTheIcmpError() throws IOException {
        int closed;
        try (DatagramSocket gone = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            closed = gone.getLocalPort();
        }
        CheckResult result = firstResult(engine.watch(loopback(closed),
                quick(UdpCheck.text("PING", null)).withTimeout(Duration.ofSeconds(5)), new Recorder()));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).doesNotContain("timed out");
    }
}
