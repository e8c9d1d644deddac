package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.Reason;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reading the balancer's per-reason packet counters (the per-CPU array {@code reasons}, summed over
 * CPUs), as the daemon's status does every second: one bpf_map_lookup_elem per reason against one
 * bpf_map_lookup_batch of the whole array. Root only (real maps).
 * Run: java -jar bench/target/benchmarks.jar CounterRead -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CounterReadBenchmark extends ThreadCpuBenchmark {
    private LoadedBalancer balancer;
    private BpfMap reasons;

    @Setup
    public void setUp() {
        balancer = new LoadedBalancer();
        reasons = balancer.object().map(DataplaneAbi.MAP_REASONS);
    }

    @TearDown
    public void tearDown() {
        if (reasons != null) {
            reasons.close();
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    /** What the status did before: every reason, one lookup each. */
    @Benchmark
    public long oneByOne() {
        op();
        long total = 0;
        for (Reason reason : Reason.values()) {
            total += reasons.sumPerCpuCounter(reason.value());
        }
        return total;
    }

    /** The whole array in one batch lookup. */
    @Benchmark
    public long[] batch() {
        op();
        return reasons.sumPerCpuCounters();
    }
}
