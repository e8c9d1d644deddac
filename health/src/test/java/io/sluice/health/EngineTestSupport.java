package io.sluice.health;

import io.sluice.health.check.CheckKind;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Helpers for engine tests: fast specs, bounded waits, recorded transitions. */
public final class EngineTestSupport {
    /** Generous: these waits bound a test, they do not measure anything. */
    public static final Duration WAIT = Duration.ofSeconds(15);
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private EngineTestSupport() {
    }

    /** Checks every 100 ms with a verdict after one run, so tests settle fast. */
    public static CheckSpec quick(CheckKind kind) {
        return CheckSpec.defaults(kind)
                .withInterval(Duration.ofMillis(100))
                .withFastInterval(Duration.ofMillis(100))
                .withDownInterval(Duration.ofMillis(100))
                .withTimeout(Duration.ofMillis(500))
                .withRise(1)
                .withFall(1);
    }

    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** Waits for the check's first verdict and returns it. */
    public static CheckResult firstResult(CheckHandle handle) {
        await("a first result for " + handle.target(), () -> handle.lastResult() != null);
        return handle.lastResult();
    }

    /** A loopback port nobody listens on (bound, then released). */
    public static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    public static Target loopback(int port) {
        return Target.of(LOOPBACK, port);
    }

    /** Records every transition with the thread that delivered it. */
    public static final class Recorder implements HealthListener {
        public record Change(Target target, HealthState from, HealthState to, CheckResult result, String thread) {
        }

        public final List<Change> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(Target target, HealthState oldState, HealthState newState, CheckResult lastResult) {
            changes.add(new Change(target, oldState, newState, lastResult, Thread.currentThread().getName()));
        }

        public boolean sawState(HealthState state) {
            return changes.stream().anyMatch(c -> c.to() == state);
        }
    }
}
