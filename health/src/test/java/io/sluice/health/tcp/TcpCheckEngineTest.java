package io.sluice.health.tcp;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.await;
import static io.sluice.health.EngineTestSupport.closedPort;
import static io.sluice.health.EngineTestSupport.firstResult;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.health.CheckHandle;
import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.state.HealthState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpCheckEngineTest {
    private HealthEngine engine;

    @BeforeEach
    void start() {
        engine = HealthEngine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void listeningPortComesUpAndTheListenerHearsItOnTheListenerThread() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Recorder recorder = new Recorder();
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), recorder);

            await("UP", () -> recorder.sawState(HealthState.UP));

            assertThat(handle.state()).isEqualTo(HealthState.UP);
            assertThat(recorder.changes.get(0).from()).isEqualTo(HealthState.DOWN);
            assertThat(recorder.changes.get(0).thread()).isEqualTo("sluice-health-listener");
            assertThat(handle.lastResult().detail()).isEqualTo("connected");
        }
    }

    @Test
    void closedPortFailsFastWithConnectionRefused() throws IOException {
        CheckHandle handle = engine.watch(loopback(closedPort()), quick(new TcpCheck()), new Recorder());

        CheckResult result = firstResult(handle);

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).containsIgnoringCase("refused");
        assertThat(result.latency()).isLessThan(quick(new TcpCheck()).timeout());
        assertThat(handle.state()).isEqualTo(HealthState.DOWN);
    }

    @Test
    void blackHoledSynTimesOutWithoutHoldingUpOtherChecks() throws IOException {
        // A listener that never accepts: once its queue is full the kernel drops further SYNs.
        try (ServerSocket blackHole = new ServerSocket(0, 1, LOOPBACK);
             ServerSocket healthy = new ServerSocket(0, 50, LOOPBACK)) {
            List<Socket> fillers = fillAcceptQueue(blackHole.getLocalPort());
            try {
                CheckSpec spec = quick(new TcpCheck()).withTimeout(Duration.ofMillis(400));
                CheckHandle stuck = engine.watch(loopback(blackHole.getLocalPort()), spec, new Recorder());
                CheckHandle fine = engine.watch(loopback(healthy.getLocalPort()), spec, new Recorder());

                CheckResult result = firstResult(stuck);
                await("healthy target UP", () -> fine.state() == HealthState.UP);

                assertThat(result.passed()).isFalse();
                assertThat(result.detail()).contains("timed out");
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void upTargetWhoseServerStopsGoesDownAfterFall() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        Recorder recorder = new Recorder();
        CheckSpec spec = quick(new TcpCheck()).withFall(2).withInitialState(HealthState.UP);
        CheckHandle handle = engine.watch(loopback(server.getLocalPort()), spec, recorder);
        firstResult(handle);
        assertThat(recorder.changes).isEmpty();

        server.close();
        await("DOWN", () -> recorder.sawState(HealthState.DOWN));

        assertThat(recorder.changes).hasSize(1);
        assertThat(recorder.changes.get(0).from()).isEqualTo(HealthState.UP);
        assertThat(recorder.changes.get(0).result().passed()).isFalse();
        assertThat(handle.state()).isEqualTo(HealthState.DOWN);
    }

    @Test
    void everyRunClosesItsConnectionWithAReset() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), new Recorder());
            for (int run = 0; run < 3; run++) {
                try (Socket accepted = server.accept()) {
                    // A run that forgot its socket would leave this read waiting until the timeout.
                    accepted.setSoTimeout(5_000);
                    assertThatThrownBy(() -> accepted.getInputStream().read())
                            .isInstanceOf(SocketException.class)
                            .hasMessageContaining("reset");
                }
            }
            assertThat(handle.state()).isEqualTo(HealthState.UP);
        }
    }

    @Test
    void backendThatClosesRightAfterAcceptingStillPasses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Thread closer = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        server.accept().close();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "accept-and-close");
            closer.start();
            Recorder recorder = new Recorder();
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), recorder);

            await("UP", () -> recorder.sawState(HealthState.UP));
            await("five more passing runs", () -> handle.lastResult().startedAt()
                    .isAfter(recorder.changes.get(0).result().startedAt().plusMillis(500)));

            assertThat(handle.lastResult().passed()).isTrue();
            assertThat(handle.state()).isEqualTo(HealthState.UP);
            server.close();
            closer.join(5_000);
        }
    }

    /** Connects until the kernel stops completing handshakes for this listener. */
    private static List<Socket> fillAcceptQueue(int port) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(LOOPBACK, port), 200);
                sockets.add(socket);
            } catch (IOException e) {
                socket.close();
                break;
            }
        }
        return sockets;
    }
}
