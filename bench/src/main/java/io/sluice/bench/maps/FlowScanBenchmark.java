package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.config.ConfigLimits;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.FlowFamily;
import io.sluice.lb.dataplane.FlowStructs;
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
 * does when a drain ends ({@code DataplaneMaps.flowsByOwner}) and, a 32nd of it per second, for the
 * flow-count gauge ({@code DataplaneMaps.flowCount}): through the maps' shared mappings (ABI 8, one
 * mark read per way, no syscall, no copy). {@code mapped} reads the IPv6 table (flows6c: 128-byte
 * buckets since ABI 10; 200 in ABI 5-9), the table the baselines read: bpf_map_lookup_batch 4,096
 * buckets at a time (the daemon's way from 2026-11-23 to ABI 8) and one bpf_map_lookup_elem per
 * bucket (before that). {@code mappedBothTables} is what the daemon runs since ABI 9: the IPv6 table
 * and flows4 (64-byte buckets).
 * The tables are empty: what a scan costs is the reads, the copies and the syscalls, whatever the
 * buckets hold. Root only (a real map).
 * Run: bench/jmh.sh FlowScan -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlowScanBenchmark extends ThreadCpuBenchmark {
    private static final int BATCH = 4096;
    private int buckets;
    private LoadedBalancer balancer;
    private BpfMap flows;
    private byte[] key;
    private ByteBuffer keyBuffer;
    private byte[] bucket;

    @Setup
    public void setUp() {
        balancer = new LoadedBalancer(ConfigLimits.DEFAULT_FLOW_TABLE_SIZE);
        flows = balancer.flows6();
        buckets = balancer.maps().flowBucketCount();
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

    /** DataplaneMaps.flowCount's read of the IPv6 table, through the mapping. */
    @Benchmark
    public long mapped() {
        op();
        return balancer.maps().flowCount(FlowFamily.IPV6, 0, buckets);
    }

    /** What the daemon runs: DataplaneMaps.flowCount, both tables through their mappings. */
    @Benchmark
    public long mappedBothTables() {
        op();
        return balancer.maps().flowCount();
    }

    /** The same count from batch lookups of 4,096 buckets (copied out, then read). */
    @Benchmark
    public long batchedSyscalls() {
        op();
        long[] occupied = {0};
        flows.scanRange(0, buckets, BATCH, (keys, values, read) -> {
            for (int i = 0; i < read; i++) {
                for (int way = 0; way < DataplaneAbi.FLOW_WAYS; way++) {
                    int tag = i * FlowFamily.IPV6.bucketSize() + FlowFamily.IPV6.keyOffset(way)
                            + FlowStructs.Key6.OFFSET_VIP_TAG;
                    if ((values[tag] | values[tag + 1]) != 0) {
                        occupied[0]++;
                    }
                }
            }
        });
        return occupied[0];
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
