package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
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
 * Writing N backend entries into the balancer's {@code backends} array through the libbpf binding:
 * one {@code DataplaneMaps.putBackend} (one bpf_map_update_elem) per backend, as the reconciler
 * does, against one bpf_map_update_batch of the same encoded entries; and the reconciler's read of
 * every backend ({@code readBackends}: a batch lookup of all {@value DataplaneAbi#MAX_BACKENDS}
 * slots, done on every reconcile). Root only (real maps).
 * Run: java -jar bench/target/benchmarks.jar BackendMapWrite -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BackendMapWriteBenchmark extends ThreadCpuBenchmark {
    private static final int FIRST_ID = 1;

    @Param({"100", "1000"})
    public int backends;

    private LoadedBalancer balancer;
    private BpfMap backendMap;
    private BackendEntry[] entries;

    @Setup
    public void setUp() throws UnknownHostException {
        balancer = new LoadedBalancer();
        backendMap = balancer.object().map(DataplaneAbi.MAP_BACKENDS);
        entries = new BackendEntry[backends];
        for (int i = 0; i < backends; i++) {
            entries[i] = BackendEntry.inUse(InetAddress.getByAddress(new byte[] {10, 2, (byte) (i >> 8), (byte) i}), 1);
        }
    }

    @TearDown
    public void tearDown() {
        if (backendMap != null) {
            backendMap.close();
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    @Benchmark
    public DataplaneMaps oneByOne() {
        op();
        DataplaneMaps maps = balancer.maps();
        for (int i = 0; i < backends; i++) {
            maps.putBackend(FIRST_ID + i, entries[i]);
        }
        return maps;
    }

    @Benchmark
    public BpfMap batch() {
        op();
        ByteBuffer keys = ByteBuffer.allocate(backends * Integer.BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(backends * BackendEntry.SIZE);
        for (int i = 0; i < backends; i++) {
            keys.putInt(FIRST_ID + i);
            values.put(entries[i].encode());
        }
        backendMap.updateBatch(keys.array(), values.array(), backends);
        return backendMap;
    }

    /** What every reconcile reads first: all backend slots, in use or not. */
    @Benchmark
    public int readAll() {
        op();
        return balancer.maps().readBackends().size();
    }
}
