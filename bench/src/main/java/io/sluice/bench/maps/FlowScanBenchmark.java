package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.config.ConfigLimits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Reading the whole flow cache of the default size (flow_table_size 262,144 per CPU), as the daemon
 * does when a drain ends ({@code DataplaneMaps.flowsByOwner}) and did every 5 s for the flow-count
 * gauge until it read a 32nd per second ({@code DataplaneMaps.flowCount}): in batches of 4,096 buckets per
 * bpf_map_lookup_batch, against one bpf_map_lookup_elem per bucket (the daemon's way until
 * 2026-11-23, kept here as the baseline). The table is empty: what a scan costs is the copy and the
 * syscalls, whatever the buckets hold. Root only (a real map).
 * Run: bench/jmh.sh FlowScan -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlowScanBenchmark extends ThreadCpuBenchmark {
    private LoadedBalancer balancer;
    private BpfMap flows;
    private byte[] key;
    private ByteBuffer keyBuffer;
    private byte[] bucket;

    @Setup
    public void setUp() {
        balancer = new LoadedBalancer(ConfigLimits.DEFAULT_FLOW_TABLE_SIZE);
        flows = balancer.flows();
        key = new byte[Integer.BYTES];
        keyBuffer = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        bucket = new byte[flows.valueSize()];
    }

    @TearDown
    public void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
    }

    /** What the daemon runs: DataplaneMaps.flowCount (batched). */
    @Benchmark
    public long batched() {
        op();
        return balancer.maps().flowCount();
    }

    /** The same read, one lookup per bucket. */
    @Benchmark
    public long oneLookupPerBucket() {
        op();
        long nonEmpty = 0;
        for (int index = 0; index < flows.maxEntries(); index++) {
            keyBuffer.putInt(0, index);
            if (flows.lookup(key, bucket) && bucket[0] != 0) {
                nonEmpty++;
            }
        }
        return nonEmpty;
    }
}
