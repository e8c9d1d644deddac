package io.sluice.bench.maps;

import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.TrafficCounter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reading N backends' counters (the per-CPU array {@code backend_stats}, summed over CPUs), as the
 * daemon's status does every second: one lookup per backend against the batch reads of
 * {@code DataplaneMaps.backendTraffic(ids)} (ids 1..N: the reconciler hands out the lowest free
 * id, so a config's ids are dense).
 * Root only (real maps).
 * Run: java -jar bench/target/benchmarks.jar TrafficRead -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrafficReadBenchmark extends ThreadCpuBenchmark {
    @Param({"100", "1000", "5000"})
    public int backends;

    private LoadedBalancer balancer;
    private List<Integer> ids;

    @Setup
    public void setUp() {
        balancer = new LoadedBalancer();
        ids = IntStream.rangeClosed(1, backends).boxed().toList();
    }

    @TearDown
    public void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
    }

    /** What the status did before: one lookup per backend. */
    @Benchmark
    public long oneByOne() {
        op();
        DataplaneMaps maps = balancer.maps();
        long packets = 0;
        for (int id : ids) {
            packets += maps.backendTraffic(id).packets();
        }
        return packets;
    }

    /** One batch lookup per run of nearby ids: here one run, in chunks. */
    @Benchmark
    public Map<Integer, TrafficCounter> batch() {
        op();
        return balancer.maps().backendTraffic(ids);
    }
}
