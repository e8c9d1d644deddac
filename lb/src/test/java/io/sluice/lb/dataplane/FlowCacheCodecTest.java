package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** FlowSlot, FlowBucket and the bucket count derived from a flow-table size. */
class FlowCacheCodecTest {

    private static FlowKey key(int sport) throws Exception {
        return new FlowKey(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("198.51.100.1"), sport, 80,
                Protocol.TCP);
    }

    @Test
    void slotIsTheKeyThenBackendAndVipIds() throws Exception {
        FlowSlot slot = new FlowSlot(key(1234), 16383, 1023);
        byte[] bytes = slot.encode();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

        assertThat(bytes).hasSize(FlowSlot.SIZE);
        assertThat(FlowSlot.holds(bytes, 0, key(1234).encode())).isTrue();
        assertThat(FlowSlot.holds(bytes, 0, key(1235).encode())).isFalse();
        assertThat(b.getInt(FlowSlot.OFFSET_BACKEND_ID)).isEqualTo(16383);
        assertThat(b.getInt(FlowSlot.OFFSET_VIP_ID)).isEqualTo(1023);
        assertThat(slot.entry()).isEqualTo(new FlowEntry(16383, 1023));
    }

    @Test
    void bucketRoundTripsWithEmptyWaysAndTheVictim() throws Exception {
        FlowSlot first = new FlowSlot(key(1), 5, 2);
        FlowSlot third = new FlowSlot(new FlowKey(InetAddress.getByName("2001:db8::1"),
                InetAddress.getByName("2001:db8::2"), 9, 53, Protocol.UDP), 6, 3);
        FlowBucket bucket = new FlowBucket(List.of(Optional.of(first), Optional.empty(), Optional.of(third),
                Optional.empty()), 2);

        byte[] bytes = bucket.encode();

        assertThat(bytes).hasSize(FlowBucket.SIZE);
        assertThat(FlowBucket.decode(bytes)).isEqualTo(bucket);
        assertThat(FlowBucket.decode(bytes).occupied()).containsExactly(first, third);
        assertThat(FlowBucket.occupiedWays(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()), 0)).isEqualTo(2);
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(FlowBucket.OFFSET_NEXT_VICTIM))
                .isEqualTo(2);
        assertThat(FlowBucket.decode(new byte[FlowBucket.SIZE])).isEqualTo(FlowBucket.empty());
        assertThatThrownBy(() -> new FlowBucket(List.of(Optional.empty()), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bucketCountIsTheNextPowerOfTwoOfFlowsOverWays() {
        assertThat(DataplaneAbi.flowBuckets(262_144)).isEqualTo(65_536);
        assertThat(DataplaneAbi.flowBuckets(1024)).isEqualTo(256);
        assertThat(DataplaneAbi.flowBuckets(1025)).isEqualTo(512);
        assertThat(DataplaneAbi.flowBuckets(100_000)).isEqualTo(32_768);
        assertThat(DataplaneAbi.flowBuckets(16_777_216)).isEqualTo(4_194_304);
        assertThat(DataplaneAbi.flowBuckets(1)).isEqualTo(1);
        assertThat(DataplaneAbi.flowBuckets(5)).isEqualTo(2);
        assertThatThrownBy(() -> DataplaneAbi.flowBuckets(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
