package io.sluice.health;

import static io.sluice.health.EngineTestSupport.LOOPBACK;
import static io.sluice.health.EngineTestSupport.await;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.state.HealthState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SharingAndLifecycleTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    /** Wall-clock and monotonic clocks may disagree by a little; never by this much. */
    private static final Duration CLOCK_SLACK = Duration.ofMillis(20);

    @Test
    void identicalChecksWatchedTwiceRunOncePerInterval() throws IOException {
        List<CheckResult> runs = new CopyOnWriteArrayList<>();
        EngineOptions options = EngineOptions.defaults().withObserver((target, spec, result) -> runs.add(result));
        int port = unusedPort();
        try (HealthEngine engine = HealthEngine.start(options)) {
            // Every interval the same: a first run that fails (the server listens only below) must not
            // switch to a shorter down/fast interval and read as a second run within the interval.
            CheckSpec spec = quick(new TcpCheck()).withInterval(INTERVAL).withFastInterval(INTERVAL)
                    .withDownInterval(INTERVAL).withJitterPercent(0);
            Recorder first = new Recorder();
            Recorder second = new Recorder();
            CheckHandle a = engine.watch(loopback(port), spec, first);
            CheckHandle b = engine.watch(loopback(port), spec.withInitialState(HealthState.UP), second);
            // The backend comes up only once both watches exist: a first run that passed before the
            // second watch joined would tell only the first watcher.
            try (ServerSocket server = listenOn(port)) {
                awaitBothToldUp(engine, runs, first, second);
            }

            a.close();
            assertThat(engine.runningChecks()).isEqualTo(1);
            b.close();
            b.close();
            assertThat(engine.runningChecks()).isZero();
            assertThat(engine.status()).isEmpty();
        }
    }

    private static void awaitBothToldUp(HealthEngine engine, List<CheckResult> runs, Recorder first, Recorder second) {
        await("six runs", () -> runs.size() >= 6);

        assertThat(engine.runningChecks()).isEqualTo(1);
        for (int i = 1; i < runs.size(); i++) {
            Duration gap = Duration.between(runs.get(i - 1).startedAt(), runs.get(i).startedAt());
            assertThat(gap).as("gap between runs %d and %d", i - 1, i).isGreaterThan(INTERVAL.minus(CLOCK_SLACK));
        }
        await("both watchers told", () -> first.sawState(HealthState.UP) && second.sawState(HealthState.UP));
        assertThat(engine.status()).singleElement().satisfies(status -> {
            assertThat(status.watchers()).isEqualTo(2);
            assertThat(status.state()).isEqualTo(HealthState.UP);
            assertThat(status.lastResult().passed()).isTrue();
        });
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }

    private static ServerSocket listenOn(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(LOOPBACK, port), 50);
        return server;
    }

    @Test
    void differentSpecsOnTheSameTargetRunSeparately() throws IOException {
        try (HealthEngine engine = HealthEngine.start();
             ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()), new Recorder());
            engine.watch(loopback(server.getLocalPort()), quick(new TcpCheck()).withRise(3), new Recorder());
            assertThat(engine.runningChecks()).isEqualTo(2);
        }
    }

    @Test
    void aWatchReopenedSoonAfterResumesItsState() throws IOException {
        try (HealthEngine engine = HealthEngine.start();
             ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            CheckSpec spec = quick(new TcpCheck()).withRise(2);
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()), spec, new Recorder());
            await("UP", () -> handle.state() == HealthState.UP);
            handle.close();

            CheckHandle again = engine.watch(loopback(server.getLocalPort()), spec, new Recorder());

            assertThat(again.state()).isEqualTo(HealthState.UP);
            assertThat(again.lastResult()).isNotNull();
        }
    }

    @Test
    void initialStateUpKeepsAServingBackendUpFromTheStart() throws IOException {
        try (HealthEngine engine = HealthEngine.start();
             ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Recorder recorder = new Recorder();
            CheckHandle handle = engine.watch(loopback(server.getLocalPort()),
                    quick(new TcpCheck()).withInitialState(HealthState.UP), recorder);
            assertThat(handle.state()).isEqualTo(HealthState.UP);
            EngineTestSupport.firstResult(handle);
            assertThat(handle.state()).isEqualTo(HealthState.UP);
            assertThat(recorder.changes).isEmpty();
        }
    }

    @Test
    void watchingAClosedEngineIsRefused() {
        HealthEngine engine = HealthEngine.start();
        engine.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> engine.watch(loopback(1), CheckSpec.tcp(), new Recorder()))
                .isInstanceOf(IllegalStateException.class);
    }
}
