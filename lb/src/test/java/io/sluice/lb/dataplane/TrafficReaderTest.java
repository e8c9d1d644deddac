package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.bpf.MapType;
import io.sluice.lb.bpf.UpdateFlags;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrafficReaderTest {
    private static final int SLOTS = 8192;

    @BeforeAll
    static void requireRoot() {
        assumeTrue(BpfTestSupport.isRoot(), "BPF maps need root");
    }

    @Test
    void readsExactlyTheWantedIdsAcrossRunsAndGaps() {
        try (BpfMap stats = BpfMap.create(MapType.PERCPU_ARRAY, "tr_stats", 4, TrafficCounter.SIZE, SLOTS, 0)) {
            for (int id = 0; id < 300; id++) { // the slots between wanted ids hold counters too
                write(stats, id);
            }
            write(stats, 5000);
            write(stats, SLOTS - 1);
            // a run (1-3), one id within the gap (70), one past it (200, 201), a far one, the last slot
            List<Integer> wanted = List.of(201, 1, 2, 3, 70, 200, 5000, SLOTS - 1, 2);

            Map<Integer, TrafficCounter> read = TrafficReader.read(stats, wanted);

            assertThat(read).containsOnlyKeys(1, 2, 3, 70, 200, 201, 5000, SLOTS - 1);
            read.forEach((id, counter) -> {
                byte[] value = new byte[stats.userValueSize()];
                assertThat(stats.lookup(u32(id), value)).isTrue();
                assertThat(counter).as("id %d", id).isEqualTo(TrafficCounter.sumPerCpu(value)).isEqualTo(expected(id));
            });
        }
    }

    @Test
    void noIdsReadNothingAndAnIdOutsideTheArrayIsAnError() {
        try (BpfMap stats = BpfMap.create(MapType.PERCPU_ARRAY, "tr_range", 4, TrafficCounter.SIZE, 16, 0)) {
            assertThat(TrafficReader.read(stats, List.of())).isEmpty();
            assertThatThrownBy(() -> TrafficReader.read(stats, List.of(3, 16)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tr_range");
        }
    }

    /** Per CPU c, id i: packets i*10+c, bytes i*100+c, new flows i+c, second chance c. */
    private static void write(BpfMap stats, int id) {
        int cpus = BpfMap.possibleCpus();
        ByteBuffer perCpu = ByteBuffer.allocate(cpus * TrafficCounter.SIZE).order(ByteOrder.nativeOrder());
        for (int cpu = 0; cpu < cpus; cpu++) {
            perCpu.putLong(id * 10L + cpu).putLong(id * 100L + cpu).putLong((long) id + cpu).putLong(cpu);
        }
        stats.update(u32(id), perCpu.array(), UpdateFlags.ANY);
    }

    private static TrafficCounter expected(int id) {
        long cpus = BpfMap.possibleCpus();
        long sumOfCpus = cpus * (cpus - 1) / 2;
        return new TrafficCounter(cpus * id * 10 + sumOfCpus, cpus * id * 100 + sumOfCpus, cpus * id + sumOfCpus,
                sumOfCpus);
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }
}
