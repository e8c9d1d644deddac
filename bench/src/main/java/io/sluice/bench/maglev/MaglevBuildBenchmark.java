package io.sluice.bench.maglev;

import io.sluice.lb.maglev.MaglevBackend;
import io.sluice.lb.maglev.MaglevTable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of building one VIP's Maglev table: what a reconcile pays per changed VIP.
 * Run: java -jar bench/target/benchmarks.jar MaglevBuild -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MaglevBuildBenchmark {
    private static final int UNWEIGHTED = 100;
    private static final int MAX_RANDOM_WEIGHT = 1000;
    private static final long WEIGHT_SEED = 65_537L;

    @Param({"65537", "655373"})
    public int size;

    @Param({"10", "100", "1000", "5000"})
    public int backends;

    @Param({"false", "true"})
    public boolean weighted;

    private List<MaglevBackend> input;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(WEIGHT_SEED);
        input = new ArrayList<>(backends);
        for (int i = 0; i < backends; i++) {
            String identity = "10." + (i >>> 16) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
            input.add(new MaglevBackend(identity, weighted ? 1 + random.nextInt(MAX_RANDOM_WEIGHT) : UNWEIGHTED));
        }
    }

    @Benchmark
    public MaglevTable build() {
        return MaglevTable.build(input, size);
    }
}
