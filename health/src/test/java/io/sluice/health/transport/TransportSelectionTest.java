package io.sluice.health.transport;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.await;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.health.CheckHandle;
import io.sluice.health.EngineOptions;
import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.state.HealthState;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class TransportSelectionTest {

    @Test
    void ioUringIsChosenWhereTheKernelHasIt() {
        assumeTrue(TransportSelector.available(TransportKind.IO_URING), "io_uring not available here");
        try (HealthEngine engine = HealthEngine.start()) {
            assertThat(engine.transport()).isEqualTo(TransportKind.IO_URING);
        }
    }

    @Test
    void nioIsAlwaysThereAsTheLastResort() {
        assertThat(TransportSelector.available(TransportKind.NIO)).isTrue();
        assertThat(TransportSelector.select(TransportKind.NIO).kind()).isEqualTo(TransportKind.NIO);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void everyAvailableTransportRunsChecks(TransportKind kind) throws IOException {
        assumeTrue(TransportSelector.available(kind), kind + " not available here");
        try (HealthEngine engine = HealthEngine.start(EngineOptions.defaults().withTransport(kind));
             ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            assertThat(engine.transport()).isEqualTo(kind);
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), new Recorder());
            await("UP over " + kind, () -> handle.state() == HealthState.UP);
        }
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void everyAvailableTransportClosesEachTcpRunWithAReset(TransportKind kind) throws IOException {
        assumeTrue(TransportSelector.available(kind), kind + " not available here");
        try (HealthEngine engine = HealthEngine.start(EngineOptions.defaults().withTransport(kind));
             ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), new Recorder());
            for (int run = 0; run < 2; run++) {
                try (Socket accepted = server.accept()) {
                    accepted.setSoTimeout(5_000);
                    assertThatThrownBy(() -> accepted.getInputStream().read())
                            .as("run %d over %s", run, kind)
                            .isInstanceOf(SocketException.class)
                            .hasMessageContaining("reset");
                }
            }
        }
    }
}
