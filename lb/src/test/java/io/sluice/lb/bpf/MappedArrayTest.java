package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MappedArray against real mmapable arrays: the mapping and bpf(2) see the same memory. */
class MappedArrayTest {

    private static final int U32 = 4;
    /** Not a multiple of 8: the kernel strides entries at 16 bytes. */
    private static final int VALUE = 12;
    private static final int ENTRIES = 1000;

    @BeforeAll
    static void requireRoot() {
        assumeTrue(BpfTestSupport.isRoot(), "BPF map tests need root");
    }

    @Test
    void whatTheKernelHoldsIsReadThroughTheMappingAndWhatIsWrittenThereTheKernelReturns() {
        try (BpfMap map = mmapable("bt_mapped");
             MappedArray mapped = MappedArray.map(map)) {
            assertThat(mapped.entries()).isEqualTo(ENTRIES);
            assertThat(mapped.stride()).isEqualTo(16);
            map.update(u32(999), value(7, 8, 9), UpdateFlags.ANY);

            assertThat(mapped.getInt(999, 0)).isEqualTo(7);
            assertThat(mapped.getInt(999, 8)).isEqualTo(9);
            assertThat(mapped.getByte(999, 4)).isEqualTo((byte) 8);
            assertThat(mapped.getShort(999, 8))
                    .isEqualTo(ByteBuffer.wrap(value(7, 8, 9)).order(ByteOrder.nativeOrder()).getShort(8));
            byte[] read = new byte[VALUE];
            mapped.read(999, read);
            assertThat(read).isEqualTo(value(7, 8, 9));
            assertThat(mapped.isZero(999)).isFalse();
            assertThat(mapped.isZero(998)).isTrue();

            mapped.write(500, value(1, 2, 3));
            byte[] kernel = new byte[VALUE];
            assertThat(map.lookup(u32(500), kernel)).isTrue();
            assertThat(kernel).isEqualTo(value(1, 2, 3));
            assertThat(map.lookup(u32(501), kernel)).isTrue();
            assertThat(kernel).isEqualTo(new byte[VALUE]); // the neighbour is untouched

            mapped.clear(999);
            assertThat(map.lookup(u32(999), kernel)).isTrue();
            assertThat(kernel).isEqualTo(new byte[VALUE]);
            assertThat(mapped.isZero(999)).isTrue();
        }
    }

    @Test
    void theMappingOutlivesTheMapsFdAndNotItsOwnClose() {
        MappedArray mapped;
        try (BpfMap map = mmapable("bt_outlive")) {
            map.update(u32(3), value(42, 0, 0), UpdateFlags.ANY);
            mapped = MappedArray.map(map);
        }
        try (MappedArray owned = mapped) {
            assertThat(owned.getInt(3, 0)).isEqualTo(42);
        }
        assertThatThrownBy(() -> mapped.getInt(3, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after close");
        mapped.close(); // idempotent
    }

    @Test
    void accessOutsideAnEntryOrTheArrayIsRefusedBeforeItReachesMemory() {
        try (BpfMap map = mmapable("bt_bounds");
             MappedArray mapped = MappedArray.map(map)) {
            assertThatThrownBy(() -> mapped.getInt(ENTRIES, 0)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("entry " + ENTRIES);
            assertThatThrownBy(() -> mapped.getInt(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            // Bytes 12..15 of an entry are the stride's padding, not the value.
            assertThatThrownBy(() -> mapped.getInt(0, 10)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> mapped.write(0, new byte[VALUE - 1])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void onlyAnMmapableArrayCanBeMapped() {
        try (BpfMap plain = BpfMap.create(MapType.ARRAY, "bt_plain", U32, VALUE, ENTRIES, 0);
             BpfMap hash = BpfMap.create(MapType.HASH, "bt_hash_m", U32, VALUE, ENTRIES, 0)) {
            for (BpfMap map : new BpfMap[] {plain, hash}) {
                assertThatThrownBy(() -> MappedArray.map(map)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("not an mmapable array");
            }
        }
    }

    private static BpfMap mmapable(String name) {
        return BpfMap.create(MapType.ARRAY, name, U32, VALUE, ENTRIES, MappedArray.F_MMAPABLE);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(U32).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static byte[] value(int a, int b, int c) {
        return ByteBuffer.allocate(VALUE).order(ByteOrder.nativeOrder()).putInt(a).putInt(b).putInt(c).array();
    }
}
