package io.sluice.bench.health;

import io.sluice.health.CheckHandle;
import io.sluice.health.CheckObserver;
import io.sluice.health.EngineOptions;
import io.sluice.health.HealthEngine;
import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;
import io.sluice.health.transport.TransportKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How many TCP checks per second the health engine completes when it is the bottleneck: the real
 * {@link HealthEngine} (scheduler, TCP checker, rise/fall machine, observer) watching N targets
 * with a 1 ms interval against N loopback listeners, so every target is re-checked as soon as its
 * previous check ends. One benchmark operation is one completed check (pass or fail), so ops/s is
 * checks/s and {@code -prof gc}'s B/op is the engine's allocation per check. The listeners run in
 * a child process (their CPU and allocation are not counted), started and stopped by PID, and end
 * by themselves after {@value #LISTENER_LIFETIME_MINUTES} minutes at most. More than
 * {@value #MAX_FAILED_PER_MILLE} per mille failed checks in an iteration fails the benchmark.
 * On loopback both ends of each handshake are kernel work on this machine; see docs/BENCHMARKS.md.
 * Each iteration also prints the engine process's CPU time per check (all threads of this JVM:
 * the event loop, the listener thread, JMH's waiting thread), so a run on a busy machine still
 * says what a check costs: checks/s per core = 1e6 / (CPU us per check).
 * Run: java -jar bench/target/benchmarks.jar HealthEngineThroughput -f 1 -wi 2 -i 3 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HealthEngineThroughputBenchmark {
    private static final int PORT = 18_091;
    private static final Duration INTERVAL = Duration.ofMillis(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long LISTENER_LIFETIME_MINUTES = 15;
    /** A stalled engine fails the benchmark instead of hanging it. */
    private static final long RESULT_WAIT_SECONDS = 5;
    private static final int MAX_FAILED_PER_MILLE = 1;
    private static final int PER_MILLE = 1000;

    @Param({"256"})
    public int targets;

    @Param({"IO_URING", "EPOLL"})
    public TransportKind transport;

    private final Semaphore results = new Semaphore(0);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<CheckHandle> watches = new ArrayList<>();
    private Process listeners;
    private HealthEngine engine;
    private long completedAtStart;
    private long failedAtStart;
    private long cpuAtStart;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        listeners = startListeners();
        CheckObserver observer = this::onResult;
        engine = HealthEngine.start(EngineOptions.defaults().withTransport(transport).withObserver(observer));
        if (engine.transport() != transport) {
            throw new IllegalStateException(transport + " is not available here (engine fell back to "
                    + engine.transport() + ")");
        }
        CheckSpec spec = CheckSpec.tcp().withInterval(INTERVAL).withFastInterval(INTERVAL)
                .withDownInterval(INTERVAL).withTimeout(TIMEOUT).withRise(1).withFall(1)
                .withJitterPercent(0).withInitialState(HealthState.UP);
        for (int i = 0; i < targets; i++) {
            watches.add(engine.watch(Target.of(TargetListeners.address(i), PORT), spec, (t, from, to, r) -> { }));
        }
    }

    private void onResult(Target target, CheckSpec spec, CheckResult result) {
        completed.incrementAndGet();
        if (!result.passed()) {
            failed.incrementAndGet();
        }
        results.release();
    }

    /** Results that arrived between iterations are not this iteration's. */
    @Setup(Level.Iteration)
    public void startIteration() {
        results.drainPermits();
        completedAtStart = completed.get();
        failedAtStart = failed.get();
        cpuAtStart = os.getProcessCpuTime();
    }

    @TearDown(Level.Iteration)
    public void checkIteration() {
        long done = completed.get() - completedAtStart;
        long bad = failed.get() - failedAtStart;
        long cpu = os.getProcessCpuTime() - cpuAtStart;
        if (done > 0) {
            System.out.printf("checks %d, failed %d, engine process CPU %.1f us per check%n", done, bad,
                    cpu / 1e3 / done);
        }
        if (bad * PER_MILLE > done * MAX_FAILED_PER_MILLE) {
            throw new IllegalStateException(bad + " of " + done + " checks failed in this iteration: the engine "
                    + "is not keeping up (or the listeners are gone); no throughput figure for it");
        }
    }

    @Benchmark
    public int check() throws InterruptedException {
        if (!results.tryAcquire(RESULT_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no check completed in " + RESULT_WAIT_SECONDS + " s");
        }
        return 1;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        watches.forEach(CheckHandle::close);
        if (engine != null) {
            engine.close();
        }
        if (listeners != null) {
            try {
                listeners.getOutputStream().close();
            } catch (java.io.IOException ignored) {
                // already gone
            }
            listeners.destroy();
            if (!listeners.waitFor(10, TimeUnit.SECONDS)) {
                listeners.destroyForcibly();
            }
        }
    }

    /** The listeners of HealthCheckLoadBench, in a child JVM on this class path. */
    private Process startListeners() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                HealthCheckLoadBench.class.getName(), "--serve", "0:" + targets, Integer.toString(PORT),
                Long.toString(TimeUnit.MINUTES.toMillis(LISTENER_LIFETIME_MINUTES)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY")) {
            child.destroyForcibly();
            throw new IllegalStateException("listener process failed to start: " + line);
        }
        return child;
    }
}
