package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BpfMapTest {

    private static final int U32 = 4;
    private static final int U64 = 8;

    @BeforeAll
    static void requireRoot() {
        assumeTrue(BpfTestSupport.isRoot(), "BPF map tests need root");
    }

    @Test
    void hashMapCreateUpdateLookupDeleteAndIterate() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "bt_hash", U32, U64, 64, 0)) {
            assertThat(map.type()).isEqualTo(MapType.HASH);
            assertThat(map.name()).isEqualTo("bt_hash");
            assertThat(map.keySize()).isEqualTo(U32);
            assertThat(map.valueSize()).isEqualTo(U64);
            assertThat(map.maxEntries()).isEqualTo(64);
            assertThat(map.id()).isPositive();

            for (int k = 1; k <= 5; k++) {
                map.update(u32(k), u64(k * 100L), UpdateFlags.ANY);
            }
            byte[] value = new byte[U64];
            assertThat(map.lookup(u32(3), value)).isTrue();
            assertThat(readU64(value)).isEqualTo(300L);
            assertThat(map.lookup(u32(42), value)).isFalse();

            assertThat(map.delete(u32(3))).isTrue();
            assertThat(map.delete(u32(3))).isFalse();
            assertThat(map.lookup(u32(3), value)).isFalse();

            assertThat(keysOf(map)).containsExactlyInAnyOrder(1, 2, 4, 5);
        }
    }

    @Test
    void updateFlagsAreEnforcedByTheKernel() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "bt_flags", U32, U64, 8, 0)) {
            map.update(u32(1), u64(1), UpdateFlags.NOEXIST);
            assertThatThrownBy(() -> map.update(u32(1), u64(2), UpdateFlags.NOEXIST))
                    .isInstanceOf(BpfException.class)
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errors.EEXIST))
                    .hasMessageContaining("bt_flags");
            assertThatThrownBy(() -> map.update(u32(2), u64(2), UpdateFlags.EXIST))
                    .isInstanceOf(BpfException.class)
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errors.ENOENT));
            map.update(u32(1), u64(7), UpdateFlags.EXIST);
            byte[] value = new byte[U64];
            map.lookup(u32(1), value);
            assertThat(readU64(value)).isEqualTo(7L);
        }
    }

    @Test
    void arrayMapStartsZeroedAndRejectsIndicesPastTheEnd() {
        try (BpfMap map = BpfMap.create(MapType.ARRAY, "bt_array", U32, U64, 4, 0)) {
            byte[] value = u64(99);
            assertThat(map.lookup(u32(2), value)).isTrue();
            assertThat(readU64(value)).isZero();
            map.update(u32(2), u64(5), UpdateFlags.ANY);
            map.lookup(u32(2), value);
            assertThat(readU64(value)).isEqualTo(5L);
            assertThat(map.lookup(u32(4), value)).isFalse();
            assertThat(keysOf(map)).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void perCpuArrayHoldsOneValuePerCpuAndSums() {
        int cpus = BpfMap.possibleCpus();
        assertThat(cpus).isPositive();
        try (BpfMap map = BpfMap.create(MapType.PERCPU_ARRAY, "bt_pcpu", U32, U64, 2, 0)) {
            assertThat(map.isPerCpu()).isTrue();
            assertThat(map.userValueSize()).isEqualTo(U64 * cpus);
            ByteBuffer perCpu = ByteBuffer.allocate(U64 * cpus).order(ByteOrder.nativeOrder());
            long expectedSum = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                perCpu.putLong(10L + cpu);
                expectedSum += 10L + cpu;
            }
            map.update(u32(1), perCpu.array(), UpdateFlags.ANY);

            byte[] read = new byte[U64 * cpus];
            assertThat(map.lookup(u32(1), read)).isTrue();
            ByteBuffer back = ByteBuffer.wrap(read).order(ByteOrder.nativeOrder());
            long sum = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertThat(back.getLong(cpu * U64)).isEqualTo(10L + cpu);
                sum += back.getLong(cpu * U64);
            }
            assertThat(sum).isEqualTo(expectedSum);
            assertThatThrownBy(() -> map.lookup(u32(1), new byte[U64]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("CPUs");
        }
    }

    @Test
    void perCpuCounterIsSummedOverCpusAndZeroOutsideTheArray() {
        try (BpfMap counters = BpfMap.create(MapType.PERCPU_ARRAY, "bt_ctr", U32, U64, 4, 0);
             BpfMap plain = BpfMap.create(MapType.ARRAY, "bt_ctr_plain", U32, U64, 4, 0)) {
            int cpus = BpfMap.possibleCpus();
            ByteBuffer perCpu = ByteBuffer.allocate(cpus * U64).order(ByteOrder.nativeOrder());
            for (int cpu = 0; cpu < cpus; cpu++) {
                perCpu.putLong(cpu + 10L);
            }
            counters.update(u32(2), perCpu.array(), UpdateFlags.ANY);

            long expected = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                expected += cpu + 10L;
            }
            assertThat(counters.sumPerCpuCounter(2)).isEqualTo(expected);
            assertThat(counters.sumPerCpuCounter(1)).isZero();
            assertThat(counters.sumPerCpuCounter(4)).as("past the end").isZero();
            assertThatThrownBy(() -> plain.sumPerCpuCounter(0)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("bt_ctr_plain");
        }
    }

    @Test
    void everyPerCpuCounterIsSummedInOneBatchAsOneByOne() {
        int n = 40;
        try (BpfMap counters = BpfMap.create(MapType.PERCPU_ARRAY, "bt_ctrs", U32, U64, n, 0);
             BpfMap plain = BpfMap.create(MapType.ARRAY, "bt_ctrs_plain", U32, U64, n, 0)) {
            int cpus = BpfMap.possibleCpus();
            for (int i = 0; i < n; i += 3) { // zeros in between: a wrong stride would mix neighbours' CPUs
                ByteBuffer perCpu = ByteBuffer.allocate(cpus * U64).order(ByteOrder.nativeOrder());
                for (int cpu = 0; cpu < cpus; cpu++) {
                    perCpu.putLong(i * 1_000L + cpu + 1);
                }
                counters.update(u32(i), perCpu.array(), UpdateFlags.ANY);
            }

            long[] sums = counters.sumPerCpuCounters();

            assertThat(sums).hasSize(n);
            for (int i = 0; i < n; i++) {
                long expected = i % 3 == 0 ? cpus * i * 1_000L + (long) cpus * (cpus + 1) / 2 : 0;
                assertThat(sums[i]).as("counter %d", i).isEqualTo(expected).isEqualTo(counters.sumPerCpuCounter(i));
            }
            assertThatThrownBy(plain::sumPerCpuCounters).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("bt_ctrs_plain");
        }
    }

    @Test
    void perCpuValuesNotMultipleOfEightAreRepackedBothWays() {
        int valueSize = 12;
        int cpus = BpfMap.possibleCpus();
        try (BpfMap map = BpfMap.create(MapType.PERCPU_HASH, "bt_pcpu12", U32, valueSize, 4, 0)) {
            byte[] packed = new byte[valueSize * cpus];
            for (int i = 0; i < packed.length; i++) {
                packed[i] = (byte) (i + 1);
            }
            map.update(u32(9), packed, UpdateFlags.ANY);
            byte[] read = new byte[valueSize * cpus];
            assertThat(map.lookup(u32(9), read)).isTrue();
            assertThat(read).isEqualTo(packed);

            map.updateBatch(concat(u32(10), u32(11)), concat(packed, packed), 2);
            byte[] again = new byte[valueSize * cpus];
            assertThat(map.lookup(u32(11), again)).isTrue();
            assertThat(again).isEqualTo(packed);
            assertThatThrownBy(() -> map.scan(4, (k, v, count) -> { }))
                    .as("a batch read would hand over the kernel's padded layout")
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("multiple of 8");
        }
    }

    @Test
    void lruHashKeepsAtMostItsCapacityAndTheNewestKeys() {
        int capacity = 64;
        try (BpfMap map = BpfMap.create(MapType.LRU_HASH, "bt_lru", U32, U64, capacity, 0)) {
            int inserted = capacity * 8;
            for (int k = 0; k < inserted; k++) {
                map.update(u32(k), u64(k), UpdateFlags.ANY);
            }
            Set<Integer> keys = keysOf(map);
            assertThat(keys.size()).isLessThanOrEqualTo(capacity).isPositive();
            byte[] value = new byte[U64];
            assertThat(map.lookup(u32(inserted - 1), value)).isTrue();
            assertThat(readU64(value)).isEqualTo(inserted - 1L);
            assertThat(map.lookup(u32(0), value)).isFalse();
        }
    }

    @Test
    void batchUpdateWritesEveryEntry() {
        int count = 20_000;
        ByteBuffer keys = ByteBuffer.allocate(count * U32).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(count * U64).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            keys.putInt(i * 3);
            values.putLong(i * 7L);
        }
        for (MapType type : new MapType[] {MapType.HASH, MapType.ARRAY}) {
            int maxEntries = type == MapType.ARRAY ? count * 3 : count;
            try (BpfMap map = BpfMap.create(type, "bt_batch", U32, U64, maxEntries, 0)) {
                map.updateBatch(keys.array(), values.array(), count);
                byte[] value = new byte[U64];
                for (int i = 0; i < count; i += 997) {
                    assertThat(map.lookup(u32(i * 3), value)).as("%s key %d", type, i * 3).isTrue();
                    assertThat(readU64(value)).isEqualTo(i * 7L);
                }
                assertThat(map.lookup(u32((count - 1) * 3), value)).isTrue();
                assertThat(readU64(value)).isEqualTo((count - 1) * 7L);
            }
        }
    }

    @Test
    void lookupAllReadsEveryEntryOfAnArrayAndAHash() {
        int n = 70_000; // more than one batch-sized chunk in any kernel
        try (BpfMap array = BpfMap.create(MapType.ARRAY, "bt_all_arr", U32, U32, n, 0);
             BpfMap hash = BpfMap.create(MapType.HASH, "bt_all_hash", U32, U64, 128, 0)) {
            ByteBuffer keys = ByteBuffer.allocate(n * U32).order(ByteOrder.nativeOrder());
            ByteBuffer values = ByteBuffer.allocate(n * U32).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                keys.putInt(i);
                values.putInt(i * 3 + 1);
            }
            array.updateBatch(keys.array(), values.array(), n);
            for (int k = 1; k <= 50; k++) {
                hash.update(u32(k * 7), u64(k), UpdateFlags.ANY);
            }

            byte[] arrayKeys = new byte[n * U32];
            byte[] arrayValues = new byte[n * U32];
            assertThat(array.lookupAll(arrayKeys, arrayValues)).isEqualTo(n);
            ByteBuffer k = ByteBuffer.wrap(arrayKeys).order(ByteOrder.nativeOrder());
            ByteBuffer v = ByteBuffer.wrap(arrayValues).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                assertThat(v.getInt(i * U32)).isEqualTo(k.getInt(i * U32) * 3 + 1);
            }

            byte[] hashKeys = new byte[128 * U32];
            byte[] hashValues = new byte[128 * U64];
            int read = hash.lookupAll(hashKeys, hashValues);
            assertThat(read).isEqualTo(50);
            Set<Integer> seen = new HashSet<>();
            ByteBuffer hk = ByteBuffer.wrap(hashKeys).order(ByteOrder.nativeOrder());
            ByteBuffer hv = ByteBuffer.wrap(hashValues).order(ByteOrder.nativeOrder());
            for (int i = 0; i < read; i++) {
                int key = hk.getInt(i * U32);
                assertThat(hv.getLong(i * U64)).isEqualTo(key / 7);
                seen.add(key);
            }
            assertThat(seen).hasSize(50);
        }
    }

    @Test
    void scanVisitsEveryEntryOnceInChunksOfAtMostTheGivenSize() {
        int n = 10_007; // not a multiple of the chunk: the last chunk is short
        int chunk = 1_000;
        try (BpfMap array = filledArray("bt_scan_arr", n)) {
            Set<Integer> seen = new HashSet<>();
            List<Integer> chunkSizes = new ArrayList<>();
            array.scan(chunk, (k, v, count) -> {
                chunkSizes.add(count);
                ByteBuffer kb = ByteBuffer.wrap(k).order(ByteOrder.nativeOrder());
                ByteBuffer vb = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
                for (int i = 0; i < count; i++) {
                    int key = kb.getInt(i * U32);
                    assertThat(vb.getLong(i * U64)).isEqualTo(key * 5L + 2);
                    assertThat(seen.add(key)).as("key %d visited twice", key).isTrue();
                }
            });
            assertThat(seen).hasSize(n);
            assertThat(chunkSizes).allSatisfy(size -> assertThat(size).isBetween(1, chunk));
            assertThat(chunkSizes.size()).isGreaterThanOrEqualTo((n + chunk - 1) / chunk);
            assertThatThrownBy(() -> array.scan(0, (k, v, count) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void scanRangeVisitsExactlyTheEntriesOfTheRange() {
        int n = 10_007;
        try (BpfMap array = filledArray("bt_range_arr", n);
             BpfMap hash = BpfMap.create(MapType.HASH, "bt_range_hash", U32, U64, 16, 0)) {
            assertThat(keysOfRange(array, 3_000, 2_500, 1_000)).containsExactlyElementsOf(range(3_000, 2_500));
            assertThat(keysOfRange(array, 0, 7, 1_000)).containsExactlyElementsOf(range(0, 7));
            assertThat(keysOfRange(array, n - 1, 1, 1_000)).containsExactly(n - 1);
            assertThat(keysOfRange(array, 0, n, 4_096)).containsExactlyElementsOf(range(0, n));
            assertThat(keysOfRange(array, 500, 0, 1_000)).isEmpty();

            assertThatThrownBy(() -> array.scanRange(n - 1, 2, 1_000, (k, v, count) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> array.scanRange(-1, 2, 1_000, (k, v, count) -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> hash.scanRange(0, 1, 1_000, (k, v, count) -> { }))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** An array of {@code n} u64 values: key i holds i * 5 + 2 (what the scan tests check). */
    private static BpfMap filledArray(String name, int n) {
        BpfMap array = BpfMap.create(MapType.ARRAY, name, U32, U64, n, 0);
        ByteBuffer keys = ByteBuffer.allocate(n * U32).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(n * U64).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            keys.putInt(i);
            values.putLong(i * 5L + 2);
        }
        array.updateBatch(keys.array(), values.array(), n);
        return array;
    }

    /** The keys a ranged scan visits, in order; each chunk checked against the chunk size and the values. */
    private static List<Integer> keysOfRange(BpfMap array, int first, int count, int chunk) {
        List<Integer> seen = new ArrayList<>();
        array.scanRange(first, count, chunk, (k, v, read) -> {
            assertThat(read).isBetween(1, chunk);
            ByteBuffer kb = ByteBuffer.wrap(k).order(ByteOrder.nativeOrder());
            ByteBuffer vb = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            for (int i = 0; i < read; i++) {
                int key = kb.getInt(i * U32);
                assertThat(vb.getLong(i * U64)).isEqualTo(key * 5L + 2);
                seen.add(key);
            }
        });
        return seen;
    }

    private static List<Integer> range(int first, int count) {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(first + i);
        }
        return keys;
    }

    @Test
    void batchUpdateChecksItsBufferSizes() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "bt_batchsz", U32, U64, 8, 0)) {
            assertThatThrownBy(() -> map.updateBatch(new byte[U32 * 2], new byte[U64], 2))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void pinnedMapReopensWithItsContentAndMetadata() {
        Path dir = BpfTestSupport.newPinDir("map");
        try {
            Path pin = dir.resolve("pinned_hash");
            try (BpfMap map = BpfMap.create(MapType.HASH, "bt_pinned", U32, U64, 16, BpfMap.F_NO_PREALLOC)) {
                map.update(u32(5), u64(55), UpdateFlags.ANY);
                map.pin(pin);
                try (BpfMap reopened = BpfMap.openPinned(pin)) {
                    assertThat(reopened.id()).isEqualTo(map.id());
                    assertThat(reopened.fd()).isNotEqualTo(map.fd());
                    assertThat(reopened.name()).isEqualTo("bt_pinned");
                    assertThat(reopened.type()).isEqualTo(MapType.HASH);
                    assertThat(reopened.maxEntries()).isEqualTo(16);
                    assertThat(reopened.mapFlags()).isEqualTo(BpfMap.F_NO_PREALLOC);
                    byte[] value = new byte[U64];
                    assertThat(reopened.lookup(u32(5), value)).isTrue();
                    assertThat(readU64(value)).isEqualTo(55L);
                }
            }
            BpfMap.unpin(pin);
            assertThatThrownBy(() -> BpfMap.openPinned(pin)).isInstanceOf(BpfException.class);
        } finally {
            BpfTestSupport.removePinDir(dir);
        }
    }

    @Test
    void fromIdOpensTheSameMap() {
        try (BpfMap map = BpfMap.create(MapType.ARRAY, "bt_byid", U32, U32, 2, 0);
             BpfMap byId = BpfMap.fromId(map.id())) {
            map.update(u32(1), u32(77), UpdateFlags.ANY);
            byte[] value = new byte[U32];
            byId.lookup(u32(1), value);
            assertThat(readU32(value)).isEqualTo(77);
            assertThat(byId.name()).isEqualTo("bt_byid");
        }
    }

    @Test
    void createdMapInMapAcceptsInnerMapsOfAnotherSize() {
        try (BpfMap template = BpfMap.create(MapType.ARRAY, "bt_tmpl", U32, U32, 4, BpfMap.F_INNER_MAP);
             BpfMap outer = BpfMap.createMapInMap(MapType.ARRAY_OF_MAPS, "bt_outer", U32, 4, template);
             BpfMap inner = BpfMap.create(MapType.ARRAY, "bt_inner", U32, U32, 100, BpfMap.F_INNER_MAP)) {
            inner.update(u32(99), u32(1234), UpdateFlags.ANY);
            outer.update(u32(2), u32(inner.fd()), UpdateFlags.ANY);
            byte[] innerId = new byte[U32];
            assertThat(outer.lookup(u32(2), innerId)).isTrue();
            assertThat(readU32(innerId)).isEqualTo(inner.id());
            try (BpfMap readBack = BpfMap.fromId(readU32(innerId))) {
                assertThat(readBack.maxEntries()).isEqualTo(100);
                byte[] value = new byte[U32];
                readBack.lookup(u32(99), value);
                assertThat(readU32(value)).isEqualTo(1234);
            }
        }
    }

    @Test
    void closedMapFailsWithEbadfInsteadOfTouchingAReusedFd() {
        BpfMap map = BpfMap.create(MapType.HASH, "bt_closed", U32, U64, 4, 0);
        map.close();
        map.close();
        assertThatThrownBy(() -> map.lookup(u32(1), new byte[U64]))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bt_closed")
                .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errors.EBADF));
    }

    @Test
    void missingPinIsAnErrorNamingThePath() {
        Path missing = Path.of("/sys/fs/bpf/sluice-bindtest-does-not-exist-" + ProcessHandle.current().pid());
        assertThatThrownBy(() -> BpfMap.openPinned(missing))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("errno 2")
                .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errors.ENOENT));
    }

    @Test
    void keyOfTheWrongSizeIsRejectedBeforeTheSyscall() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "bt_keysz", U32, U64, 4, 0)) {
            assertThatThrownBy(() -> map.update(new byte[3], u64(1), UpdateFlags.ANY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("key of 3 bytes");
        }
    }

    @Test
    void kernelRejectionCarriesErrnoText() {
        assertThatThrownBy(() -> BpfMap.create(MapType.ARRAY, "bt_bad", U32, U64, 0, 0))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("bt_bad")
                .hasMessageContaining("errno " + Errors.EINVAL);
    }

    static Set<Integer> keysOf(BpfMap map) {
        Set<Integer> keys = new HashSet<>();
        byte[] previous = null;
        byte[] next = new byte[U32];
        while (map.nextKey(previous, next)) {
            keys.add(readU32(next));
            previous = next.clone();
        }
        return keys;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(U32).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(U64).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    static int readU32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }

    static long readU64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
