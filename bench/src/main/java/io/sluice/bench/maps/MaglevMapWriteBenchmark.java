package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.MapType;
import io.sluice.lb.bpf.UpdateFlags;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.maglev.MaglevBackend;
import io.sluice.lb.maglev.MaglevTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
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
 * Writing one VIP's Maglev table (slot 0 = M, then M backend ids) into a BPF array through the
 * libbpf binding: one bpf_map_update_elem per slot against one bpf_map_update_batch for all of
 * them, into the same already created map; and the daemon's whole swap
 * ({@code DataplaneMaps.swapMaglevTable}: create the inner map, one batch, one update of the outer
 * map). Root only (real maps).
 * Run: java -jar bench/target/benchmarks.jar MaglevMapWrite -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MaglevMapWriteBenchmark extends ThreadCpuBenchmark {
    private static final int BACKENDS = 100;
    private static final int FIRST_BACKEND_ID = 1;
    private static final int VIP_ID = 1;

    @Param({"65537"})
    public int size;

    private LoadedBalancer balancer;
    private BpfMap table;
    private BpfMap otherTable;
    private BpfMap outer;
    private boolean useOther;
    private int[] slots;
    private int entries;

    @Setup
    public void setUp() {
        balancer = new LoadedBalancer();
        List<MaglevBackend> members = new ArrayList<>();
        for (int i = 0; i < BACKENDS; i++) {
            members.add(new MaglevBackend("10.2." + (i / 256) + "." + (i % 256), 1));
        }
        List<String> order = members.stream().map(MaglevBackend::identity).toList();
        slots = MaglevTable.build(members, size).toSlots(b -> FIRST_BACKEND_ID + order.indexOf(b.identity()));
        entries = size + DataplaneAbi.MAGLEV_FIRST_SLOT;
        table = BpfMap.create(MapType.ARRAY, "bench_maglev", Integer.BYTES, Integer.BYTES, entries,
                DataplaneAbi.BPF_F_INNER_MAP);
        otherTable = BpfMap.create(MapType.ARRAY, "bench_maglev2", Integer.BYTES, Integer.BYTES, entries,
                DataplaneAbi.BPF_F_INNER_MAP);
        batch();
        otherTable.updateBatch(encodedKeys(), encodedValues(), entries);
        outer = balancer.object().map(DataplaneAbi.MAP_MAGLEV_TABLES);
    }

    @TearDown
    public void tearDown() {
        for (BpfMap map : new BpfMap[] {outer, otherTable, table}) {
            if (map != null) {
                map.close();
            }
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    /** One syscall per slot (65538 of them); key and value encoded per slot, as a naive writer would. */
    @Benchmark
    public BpfMap slotBySlot() {
        op();
        byte[] key = new byte[Integer.BYTES];
        byte[] value = new byte[Integer.BYTES];
        ByteBuffer k = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        k.putInt(0, DataplaneAbi.MAGLEV_SIZE_SLOT);
        v.putInt(0, size);
        table.update(key, value, UpdateFlags.ANY);
        for (int slot = 0; slot < size; slot++) {
            k.putInt(0, DataplaneAbi.MAGLEV_FIRST_SLOT + slot);
            v.putInt(0, slots[slot]);
            table.update(key, value, UpdateFlags.ANY);
        }
        return table;
    }

    /** The same entries in one bpf_map_update_batch, encoded the way swapMaglevTable does it. */
    @Benchmark
    public BpfMap batch() {
        op();
        ByteBuffer keys = ByteBuffer.allocate(entries * Integer.BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(entries * Integer.BYTES).order(ByteOrder.nativeOrder());
        keys.putInt(DataplaneAbi.MAGLEV_SIZE_SLOT);
        values.putInt(size);
        for (int slot = 0; slot < size; slot++) {
            keys.putInt(DataplaneAbi.MAGLEV_FIRST_SLOT + slot);
            values.putInt(slots[slot]);
        }
        table.updateBatch(keys.array(), values.array(), entries);
        return table;
    }

    /**
     * Only the last step of a swap: point the VIP's slot of maglev_tables at the other of two
     * ready tables. The kernel waits for an RCU grace period after a map-in-map update from user
     * space (so no program still reads the old inner map), which this figure includes.
     */
    @Benchmark
    public int outerUpdateOnly() {
        op();
        useOther = !useOther;
        byte[] key = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(VIP_ID).array();
        byte[] value = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder())
                .putInt((useOther ? otherTable : table).fd()).array();
        outer.update(key, value, UpdateFlags.ANY);
        return VIP_ID;
    }

    private byte[] encodedKeys() {
        ByteBuffer keys = ByteBuffer.allocate(entries * Integer.BYTES).order(ByteOrder.nativeOrder());
        keys.putInt(DataplaneAbi.MAGLEV_SIZE_SLOT);
        for (int slot = 0; slot < size; slot++) {
            keys.putInt(DataplaneAbi.MAGLEV_FIRST_SLOT + slot);
        }
        return keys.array();
    }

    private byte[] encodedValues() {
        ByteBuffer values = ByteBuffer.allocate(entries * Integer.BYTES).order(ByteOrder.nativeOrder());
        values.putInt(size);
        for (int slot = 0; slot < size; slot++) {
            values.putInt(slots[slot]);
        }
        return values.array();
    }

    /** The daemon's path: a new inner map, one batch into it, one update of maglev_tables. */
    @Benchmark
    public int swap() {
        op();
        balancer.maps().swapMaglevTable(VIP_ID, slots);
        return VIP_ID;
    }
}
