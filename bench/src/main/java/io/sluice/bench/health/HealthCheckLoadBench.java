package io.sluice.bench.health;

import io.sluice.health.CheckObserver;
import io.sluice.health.EngineOptions;
import io.sluice.health.HealthEngine;
import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.state.HealthState;
import io.sluice.health.transport.TransportKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Load benchmark of the health-check engine: N TCP checks at a fixed interval against N loopback
 * listeners (in a child process), for a bounded time. Reports the engine process's CPU, check
 * latency percentiles, and late or missed runs.
 *
 * <p>A run is late when it starts more than interval + jitter after the previous run of the same
 * target; missed when the gap reaches two intervals (a whole run skipped). The first interval is
 * not measured: the first runs are spread at random then, and the JIT is still compiling.
 * The listeners run in child processes of at most 2,500 sockets each.
 *
 * <p>Usage: {@code HealthCheckLoadBench [targets] [intervalMillis] [seconds] [port] [transport] [ioThreads]}
 * (defaults 10000, 1000, 30, 18081, IO_URING, 1).
 *
 * <p>System properties (bench/health.sh sets them): {@value TargetListeners#PREFIX_PROPERTY} (the /16
 * of the targets), {@value #LISTENER_PREFIX_PROPERTY} (a command the listener processes are started
 * under, e.g. {@code ip netns exec <ns>}), {@value #FLOOR_PROPERTY} (the floor program, run at the
 * same rate before and after the engine) and {@value #WATCH_PROPERTY} ({@code label:pid,...}: other
 * tasks whose CPU over the window is reported, e.g. the veth NAPI threads).
 */
public final class HealthCheckLoadBench {
    private static final int DEFAULT_TARGETS = 10_000;
    private static final int DEFAULT_INTERVAL_MILLIS = 1_000;
    private static final int DEFAULT_SECONDS = 30;
    private static final int DEFAULT_PORT = 18_081;
    private static final int MAX_SECONDS = 120;
    private static final int JITTER_PERCENT = 10;
    /** Start times are wall-clock (Instant) with microsecond resolution; allow that much. */
    private static final long START_RESOLUTION_NANOS = 1_000_000;
    private static final long CHILD_GRACE_MILLIS = 60_000;
    /** Listeners per child process: keeps each child well inside a 20,000 descriptor limit. */
    private static final int LISTENERS_PER_CHILD = 2_500;
    /** Long enough for the JIT to finish compiling the hot path, which otherwise shows as engine CPU. */
    private static final Duration WARMUP = Duration.ofSeconds(8);
    static final String LISTENER_PREFIX_PROPERTY = "sluice.bench.listenerPrefix";
    static final String FLOOR_PROPERTY = "sluice.bench.floor";
    static final String WATCH_PROPERTY = "sluice.bench.watch";
    private static final int FLOOR_SECONDS = 15;
    private static final int FLOOR_WARMUP_SECONDS = 3;
    private static final String EVENT_LOOP_THREAD_PREFIX = "sluice-health-i";

    private HealthCheckLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            String[] range = args[1].split(":");
            TargetListeners.serve(Integer.parseInt(range[0]), Integer.parseInt(range[1]),
                    Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        int targets = intArg(args, 0, DEFAULT_TARGETS);
        int intervalMillis = intArg(args, 1, DEFAULT_INTERVAL_MILLIS);
        int seconds = Math.min(intArg(args, 2, DEFAULT_SECONDS), MAX_SECONDS);
        int port = intArg(args, 3, DEFAULT_PORT);
        TransportKind transport = args.length > 4 ? TransportKind.valueOf(args[4]) : TransportKind.IO_URING;
        int ioThreads = intArg(args, 5, EngineOptions.DEFAULT_IO_THREADS);
        new Run(targets, Duration.ofMillis(intervalMillis), Duration.ofSeconds(seconds), port, transport, ioThreads).execute();
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    private static final class Run implements CheckObserver {
        private final int targets;
        private final Duration interval;
        private final Duration duration;
        private final int port;
        private final TransportKind transport;
        private final int ioThreads;
        private final Map<Target, Integer> indexOf = new HashMap<>();
        private final long[] lastStartNanos;
        private final long lateLimitNanos;
        private final long missLimitNanos;
        private long[] latencies = new long[1 << 20];
        private int latencyCount;
        private long measuredRuns;
        private long failures;
        private long late;
        private long missed;
        private long worstGapNanos;
        private String firstFailure = "";
        private volatile long measureFromNanos = Long.MAX_VALUE;
        /** Every result, measured or not: the /proc CPU window divides by the runs completed in it. */
        private long completedRuns;
        private String procRow = "";
        private String loopRow = "";
        private final List<String[]> watchedRows = new ArrayList<>();

        Run(int targets, Duration interval, Duration duration, int port, TransportKind transport, int ioThreads) {
            this.ioThreads = ioThreads;
            this.transport = transport;
            this.targets = targets;
            this.interval = interval;
            this.duration = duration;
            this.port = port;
            this.lastStartNanos = new long[targets];
            this.lateLimitNanos = interval.toNanos() * (100 + JITTER_PERCENT) / 100 + START_RESOLUTION_NANOS;
            this.missLimitNanos = interval.toNanos() * 2;
        }

        void execute() throws Exception {
            List<Process> children = new ArrayList<>();
            try {
                for (int first = 0; first < targets; first += LISTENERS_PER_CHILD) {
                    children.add(startListeners(first, Math.min(targets, first + LISTENERS_PER_CHILD)));
                }
                String floor = System.getProperty(FLOOR_PROPERTY, "");
                List<String> floorBefore = floor.isEmpty() ? List.of() : runFloor(floor, "before");
                measure();
                if (!floor.isEmpty()) {
                    List<String> floorAfter = runFloor(floor, "after");
                    for (String line : floorBefore) {
                        System.out.println(line);
                    }
                    for (String line : floorAfter) {
                        System.out.println(line);
                    }
                }
            } finally {
                for (Process child : children) {
                    child.getOutputStream().close();
                    child.destroy();
                    if (!child.waitFor(10, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
            }
        }

        private List<String> runFloor(String program, String when) throws Exception {
            int rate = (int) Math.round(targets * 1000.0 / interval.toMillis());
            List<String> rows = FloorRun.run(program, TargetListeners.address(0).getHostAddress(), targets, port, rate,
                    FLOOR_SECONDS, FLOOR_WARMUP_SECONDS);
            return rows.stream().map(row -> row.replace("| floor", "| floor (" + when + " the engine)")).toList();
        }

        private Process startListeners(int first, int end) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long lifetime = duration.toMillis() + CHILD_GRACE_MILLIS + 2L * (FLOOR_SECONDS + FLOOR_WARMUP_SECONDS) * 1000;
            List<String> command = new ArrayList<>();
            String prefix = System.getProperty(LISTENER_PREFIX_PROPERTY, "").trim();
            if (!prefix.isEmpty()) {
                command.addAll(Arrays.asList(prefix.split("\\s+")));
            }
            command.addAll(List.of(java, "-D" + TargetListeners.PREFIX_PROPERTY + "="
                            + System.getProperty(TargetListeners.PREFIX_PROPERTY, "127.77"),
                    "-cp", System.getProperty("java.class.path"),
                    HealthCheckLoadBench.class.getName(), "--serve", first + ":" + end,
                    Integer.toString(port), Long.toString(lifetime)));
            Process child = new ProcessBuilder(command)
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

        private void measure() throws InterruptedException {
            CheckSpec spec = CheckSpec.tcp()
                    .withInterval(interval).withFastInterval(interval).withDownInterval(interval)
                    .withTimeout(interval).withRise(1).withFall(1)
                    .withJitterPercent(JITTER_PERCENT).withInitialState(HealthState.UP);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            try (HealthEngine engine = HealthEngine.start(EngineOptions.defaults().withTransport(transport).withIoThreads(ioThreads).withObserver(this))) {
                for (int i = 0; i < targets; i++) {
                    Target target = Target.of(TargetListeners.address(i), port);
                    indexOf.put(target, i);
                }
                for (Target target : indexOf.keySet()) {
                    engine.watch(target, spec, (t, from, to, result) -> { });
                }
                // Warm-up: first runs spread at random and the JIT compiles; measure the steady state.
                long warmup = Math.max(WARMUP.toMillis(), interval.toMillis() * 2);
                Thread.sleep(warmup);
                long cpuStart = os.getProcessCpuTime();
                long ioStart = ioThreadCpuNanos();
                ProcCpu procStart = ProcCpu.self();
                ProcCpu loopStart = ProcCpu.threads(EVENT_LOOP_THREAD_PREFIX);
                Map<String, ProcCpu> watchedStart = watched();
                long runsStart;
                synchronized (this) {
                    runsStart = completedRuns;
                }
                long wallStart = System.nanoTime();
                measureFromNanos = wallStart;
                Thread.sleep(Math.max(interval.toMillis() * 2, duration.toMillis() - warmup));
                long cpuEnd = os.getProcessCpuTime();
                long ioEnd = ioThreadCpuNanos();
                ProcCpu procUsed = ProcCpu.self().minus(procStart);
                ProcCpu loopUsed = ProcCpu.threads(EVENT_LOOP_THREAD_PREFIX).minus(loopStart);
                Map<String, ProcCpu> watchedEnd = watched();
                long wallEnd = System.nanoTime();
                synchronized (this) {
                    measureFromNanos = Long.MAX_VALUE;
                    long runs = completedRuns - runsStart;
                    double seconds = (wallEnd - wallStart) / 1e9;
                    procRow = procUsed.describe(seconds, runs);
                    loopRow = loopUsed.describe(seconds, runs);
                    for (Map.Entry<String, ProcCpu> e : watchedEnd.entrySet()) {
                        ProcCpu before = watchedStart.get(e.getKey());
                        if (before != null) {
                            watchedRows.add(row("other task: " + e.getKey() + " (not the engine)",
                                    e.getValue().minus(before).describe(seconds, runs)));
                        }
                    }
                    report(engine, (double) (cpuEnd - cpuStart) / (wallEnd - wallStart),
                            (double) (ioEnd - ioStart) / (wallEnd - wallStart),
                            Duration.ofNanos(wallEnd - wallStart), os.getAvailableProcessors());
                }
            }
        }

        @Override
        public synchronized void onResult(Target target, CheckSpec spec, CheckResult result) {
            int index = indexOf.get(target);
            long start = result.startedAt().getEpochSecond() * 1_000_000_000L + result.startedAt().getNano();
            long previous = lastStartNanos[index];
            lastStartNanos[index] = start;
            completedRuns++;
            if (System.nanoTime() < measureFromNanos) {
                return;
            }
            measuredRuns++;
            if (!result.passed()) {
                failures++;
                if (firstFailure.isEmpty()) {
                    firstFailure = target + ": " + result.detail();
                }
            }
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = result.latency().toNanos();
            if (previous != 0) {
                long gap = start - previous;
                worstGapNanos = Math.max(worstGapNanos, gap);
                if (gap >= missLimitNanos) {
                    missed++;
                } else if (gap > lateLimitNanos) {
                    late++;
                }
            }
        }

        /** The tasks named in {@value #WATCH_PROPERTY}, by label. */
        private static Map<String, ProcCpu> watched() {
            Map<String, ProcCpu> result = new java.util.LinkedHashMap<>();
            String spec = System.getProperty(WATCH_PROPERTY, "").trim();
            if (spec.isEmpty()) {
                return result;
            }
            for (String item : spec.split(",")) {
                String[] parts = item.split(":");
                result.put(parts[0], ProcCpu.pid(Long.parseLong(parts[1])));
            }
            return result;
        }

        /** CPU of the engine's event-loop threads (user + system), by thread name. */
        private static long ioThreadCpuNanos() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long total = 0;
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith("sluice-health-io")) {
                    total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                }
            }
            return total;
        }

        private void report(HealthEngine engine, double cores, double ioCores, Duration window, int cpus) {
            long[] sorted = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(sorted);
            double rate = measuredRuns / (window.toNanos() / 1e9);
            List<String[]> rows = new ArrayList<>();
            rows.add(row("transport, event-loop threads", engine.transport() + ", " + ioThreads));
            rows.add(row("targets x interval", targets + " x " + interval.toMillis() + " ms (jitter ±" + JITTER_PERCENT + "%)"));
            rows.add(row("measured window", String.format("%.1f s", window.toNanos() / 1e9)));
            rows.add(row("checks run", measuredRuns + String.format(" (%.0f/s)", rate)));
            rows.add(row("failed checks", failures + (firstFailure.isEmpty() ? "" : " (first: " + firstFailure + ")")));
            rows.add(row("engine process CPU (all threads: I/O, JIT, GC)", String.format("%.3f cores (%d CPUs on host)", cores, cpus)));
            rows.add(row("engine event-loop thread CPU", String.format("%.3f cores", ioCores)));
            rows.add(row("engine process CPU, /proc/self/stat", procRow));
            rows.add(row("engine event-loop thread CPU, /proc/self/task/*/stat", loopRow));
            rows.addAll(watchedRows);
            rows.add(row("latency p50", millis(percentile(sorted, 50))));
            rows.add(row("latency p99", millis(percentile(sorted, 99))));
            rows.add(row("latency max", millis(sorted.length == 0 ? 0 : sorted[sorted.length - 1])));
            rows.add(row("late runs (gap > interval+jitter)", Long.toString(late)));
            rows.add(row("missed runs (gap >= 2 x interval)", Long.toString(missed)));
            rows.add(row("worst gap between runs", millis(worstGapNanos)));
            System.out.println();
            System.out.println("| metric | value |");
            System.out.println("| --- | --- |");
            for (String[] r : rows) {
                System.out.println("| " + r[0] + " | " + r[1] + " |");
            }
        }

        private static String[] row(String name, String value) {
            return new String[] {name, value};
        }

        private static long percentile(long[] sorted, int p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
            return sorted[Math.max(0, index)];
        }

        private static String millis(long nanos) {
            return String.format("%.3f ms", nanos / 1e6);
        }
    }
}
