package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.UpdateFlags;
import io.sluice.lb.config.ConfigLimits;
import io.sluice.lb.dataplane.FlowBucket;
import io.sluice.lb.dataplane.FlowFamily;
import io.sluice.lb.dataplane.FlowKey;
import io.sluice.lb.dataplane.FlowWay;
import io.sluice.lb.dataplane.Protocol;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Emptying the flow cache of the default size with a flow in every bucket of the IPv6 table
 * (flows6c: 128-byte buckets since ABI 10, 200 in ABI 5-9; flows4 stays empty, as the baselines
 * flush one table) ({@code sluiced --flush-flows}, {@code DataplaneMaps.flushFlows}, which reads both
 * tables): through the maps' shared mappings (ABI 8), against batch lookups of the IPv6 table with
 * one batch update per batch of non-empty buckets (the
 * daemon's way from 2026-11-24 to ABI 8) and one lookup and one update per bucket (before that),
 * both kept here as baselines. Each measured operation is one flush of a table refilled before it
 * (not timed). Root only (a real map).
 * Run: bench/jmh.sh FlowFlush -f 1 -wi 3 -i 10 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlowFlushBenchmark {
    private static final int BATCH = 4096;
    private static final int BUCKET_SIZE = FlowFamily.IPV6.bucketSize();
    private LoadedBalancer balancer;
    private BpfMap flows;
    private int buckets;
    private byte[] allKeys;
    private byte[] fullBuckets;

    @Setup
    public void setUp() throws UnknownHostException {
        balancer = new LoadedBalancer(ConfigLimits.DEFAULT_FLOW_TABLE_SIZE);
        flows = balancer.flows6();
        buckets = balancer.maps().flowBucketCount();
        FlowKey key = new FlowKey(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8:100::1"),
                40000, 80, Protocol.TCP);
        byte[] bucket = FlowBucket.of(List.of(Optional.of(FlowWay.of(key, 1, 1, 0)), Optional.empty(),
                Optional.empty(), Optional.empty()), 1).encode();
        ByteBuffer keys = ByteBuffer.allocate(buckets * Integer.BYTES).order(ByteOrder.nativeOrder());
        fullBuckets = new byte[buckets * BUCKET_SIZE];
        for (int i = 0; i < buckets; i++) {
            keys.putInt(i);
            System.arraycopy(bucket, 0, fullBuckets, i * BUCKET_SIZE, BUCKET_SIZE);
        }
        allKeys = keys.array();
    }

    /** Every bucket holds one flow again before each flush. */
    @Setup(Level.Iteration)
    public void fill() {
        flows.updateBatch(allKeys, fullBuckets, buckets);
    }

    @TearDown
    public void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
    }

    /** What the daemon runs: through the mapping. */
    @Benchmark
    public long mapped() {
        return requireAll(balancer.maps().flushFlows());
    }

    /** The same flush from batch lookups of 4,096 buckets, each batch's non-empty ones emptied by one batch update. */
    @Benchmark
    public long batchedSyscalls() {
        long[] flushed = {0};
        byte[] dirtyKeys = new byte[BATCH * Integer.BYTES];
        byte[] empty = new byte[BATCH * BUCKET_SIZE];
        flows.scanRange(0, buckets, BATCH, (keys, values, read) -> {
            int dirty = 0;
            for (int i = 0; i < read; i++) {
                if (!Arrays.equals(values, i * BUCKET_SIZE, (i + 1) * BUCKET_SIZE, empty, 0, BUCKET_SIZE)) {
                    flushed[0]++; // one flow per bucket here
                    System.arraycopy(keys, i * Integer.BYTES, dirtyKeys, dirty * Integer.BYTES, Integer.BYTES);
                    dirty++;
                }
            }
            flows.updateBatch(Arrays.copyOf(dirtyKeys, dirty * Integer.BYTES),
                    Arrays.copyOf(empty, dirty * BUCKET_SIZE), dirty);
        });
        return requireAll(flushed[0]);
    }

    /** The same flush, one lookup and one update per bucket. */
    @Benchmark
    public long oneBucketAtATime() {
        long flushed = 0;
        byte[] key = new byte[Integer.BYTES];
        ByteBuffer keyBuffer = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        byte[] value = new byte[BUCKET_SIZE];
        byte[] empty = new byte[BUCKET_SIZE];
        for (int index = 0; index < buckets; index++) {
            keyBuffer.putInt(0, index);
            if (flows.lookup(key, value) && !Arrays.equals(value, empty)) {
                flushed++;
                flows.update(key, empty, UpdateFlags.ANY);
            }
        }
        return requireAll(flushed);
    }

    /** Both ways must have emptied a full table: a flush that misses buckets is not a faster flush. */
    private long requireAll(long flushed) {
        if (flushed != buckets) {
            throw new IllegalStateException("flushed " + flushed + " flows, the table held " + buckets);
        }
        return flushed;
    }
}
