package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.bpf.BpfMap;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The flow tables' buckets (flows4, flows6) and their layout derived from a flow-table size. */
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
        assertThat(b.getShort(FlowSlot.OFFSET_VIP_ID)).isEqualTo((short) 1023);
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
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt(FlowBucket.OFFSET_NEXT_VICTIM))
                .isEqualTo(2);
        assertThat(FlowBucket.decode(new byte[FlowBucket.SIZE])).isEqualTo(FlowBucket.empty());
        assertThatThrownBy(() -> new FlowBucket(List.of(Optional.empty()), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bucketsAreTheNextPowerOfTwoOfFlowsOverWaysButAtLeastTheMinimum() {
        assertThat(FlowCacheLayout.forFlows(262_144).buckets()).isEqualTo(65_536);
        assertThat(FlowCacheLayout.forFlows(1024).buckets()).isEqualTo(256);
        assertThat(FlowCacheLayout.forFlows(1025).buckets()).isEqualTo(512);
        assertThat(FlowCacheLayout.forFlows(100_000).buckets()).isEqualTo(32_768);
        assertThat(FlowCacheLayout.forFlows(16_777_216).buckets()).isEqualTo(4_194_304);
        assertThat(FlowCacheLayout.forFlows(129).buckets()).isEqualTo(64);
        assertThat(FlowCacheLayout.forFlows(1).buckets()).isEqualTo(DataplaneAbi.FLOW_MIN_BUCKETS);
        assertThat(FlowCacheLayout.forFlows(5).buckets()).isEqualTo(DataplaneAbi.FLOW_MIN_BUCKETS);
        assertThat(FlowCacheLayout.forFlows(262_144).slots()).isEqualTo(262_144);
        assertThatThrownBy(() -> DataplaneAbi.flowBuckets(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSharedTableHoldsTheFlowsPerCpuTimesTheCpusWithLog2InTheLowBits() {
        assertThat(DataplaneAbi.flowMapEntries(262_144, 2)).isEqualTo(131_072 + 17);
        assertThat(DataplaneAbi.flowMapEntries(1024, 3)).isEqualTo(1024 + 10);
        assertThat(DataplaneAbi.flowMapEntries(1, 1)).isEqualTo(DataplaneAbi.FLOW_MIN_BUCKETS + DataplaneAbi.FLOW_LOG2_BITS);
        assertThat(DataplaneAbi.flowBuckets(262_144))
                .isEqualTo(DataplaneAbi.flowMapEntries(262_144, BpfMap.possibleCpus()));
        // Too big for one u32-indexed map: refused instead of wrapping around.
        assertThatThrownBy(() -> DataplaneAbi.flowMapEntries(1 << 30, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataplaneAbi.flowMapEntries(1024, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void layoutRoundTripsThroughMaxEntriesAndBucketsAreTheLowBitsOfTheHash() {
        for (int flows : new int[] {1, 1000, 262_144, 4 << 20}) {
            FlowCacheLayout layout = FlowCacheLayout.forFlows(flows);
            assertThat(FlowCacheLayout.ofMaxEntries(layout.maxEntries())).isEqualTo(layout);
        }
        FlowCacheLayout layout = new FlowCacheLayout(64);
        assertThat(layout.bucketOf(0xffff_ff41)).isEqualTo(1);
        assertThat(layout.bucketOf(63)).isEqualTo(63);
        assertThatThrownBy(() -> new FlowCacheLayout(48)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMapSizedWithoutTheGeometryBitsIsTheOneBucketTheProgramUses() {
        assertThat(FlowCacheLayout.ofMaxEntries(1024)).isEqualTo(new FlowCacheLayout(1));
        assertThatThrownBy(() -> new FlowCacheLayout(1).maxEntries()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void slotCheckTiesTheBackendToTheFlowHashAsTheProgramStoresIt() throws Exception {
        FlowSlot slot = new FlowSlot(key(1234), 0x0001_0042, 7);
        int hash = FlowHash.hash(key(1234).encode());
        ByteBuffer b = ByteBuffer.wrap(slot.encode()).order(ByteOrder.nativeOrder());

        assertThat(Short.toUnsignedInt(b.getShort(FlowSlot.OFFSET_CHECK)))
                .isEqualTo(((hash >>> 16) ^ 0x0001_0042) & 0xffff);
        // Another backend for the same key stores another check: a mix of two writers fails it.
        assertThat(FlowSlot.check(hash, 0x42)).isNotEqualTo(FlowSlot.check(hash, 0x43));
        assertThatThrownBy(() -> new FlowSlot(key(1), 1, DataplaneAbi.MAX_VIPS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIpv4WayIsTheClientAndTheVipIdInOneWordWithItsBackendAndCheckBesideTheOtherWays() throws Exception {
        Flow4Slot first = Flow4Slot.of(key(1234), 0x0001_0042, 1023);
        Flow4Slot fourth = Flow4Slot.of(key(80), 16383, 0);
        Flow4Bucket bucket = new Flow4Bucket(List.of(Optional.of(first), Optional.empty(), Optional.empty(),
                Optional.of(fourth)), 3);

        byte[] bytes = bucket.encode();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

        assertThat(bytes).hasSize(Flow4Bucket.SIZE);
        assertThat(Flow4Bucket.decode(bytes)).isEqualTo(bucket);
        assertThat(Flow4Bucket.decode(bytes).occupied()).containsExactly(first, fourth);
        // Way 0: client address and port in network order, then the VIP id with the in-use bit.
        assertThat(java.util.Arrays.copyOfRange(bytes, 0, 6)).containsExactly((byte) 192, (byte) 0, (byte) 2, (byte) 1, (byte) 0x04, (byte) 0xd2);
        assertThat(Short.toUnsignedInt(b.getShort(Flow4Key.OFFSET_VIP_TAG))).isEqualTo(0x8000 | 1023);
        assertThat(b.getInt(Flow4Bucket.OFFSET_BACKEND_ID)).isEqualTo(0x0001_0042);
        assertThat(b.getInt(Flow4Bucket.OFFSET_BACKEND_ID + 3 * Integer.BYTES)).isEqualTo(16383);
        // The check is the one the flows6 slot of the same flow stores: made from the whole 5-tuple.
        int hash = FlowHash.hash(key(1234).encode());
        assertThat(Short.toUnsignedInt(b.getShort(Flow4Bucket.OFFSET_CHECK))).isEqualTo(FlowSlot.check(hash, 0x0001_0042));
        assertThat(Short.toUnsignedInt(b.getShort(Flow4Bucket.OFFSET_NEXT_VICTIM))).isEqualTo(3);
        // VIP id 0 is a real key: the in-use bit, not the id, tells a way from an empty one.
        assertThat(Short.toUnsignedInt(b.getShort(Flow4Bucket.keyOffset(3) + Flow4Key.OFFSET_VIP_TAG))).isEqualTo(0x8000);
        assertThat(Flow4Bucket.decode(new byte[Flow4Bucket.SIZE])).isEqualTo(Flow4Bucket.empty());
    }

    @Test
    void anIpv4KeyMatchesItsClientWhateverTheVipAndOnlyIpv4FlowsHaveOne() throws Exception {
        Flow4Key k = Flow4Key.of(key(1234), 5);
        assertThat(k.matches(key(1234))).isTrue();
        assertThat(k.matches(key(1235))).isFalse();
        assertThat(k).isEqualTo(new Flow4Key((java.net.Inet4Address) InetAddress.getByName("192.0.2.1"), 1234, 5));
        FlowKey v6 = new FlowKey(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2"), 9, 53,
                Protocol.UDP);
        assertThatThrownBy(() -> Flow4Key.of(v6, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Flow4Key.of(key(1), DataplaneAbi.MAX_VIPS)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FlowFamily.of(key(1))).isEqualTo(FlowFamily.IPV4);
        assertThat(FlowFamily.of(v6)).isEqualTo(FlowFamily.IPV6);
    }
}
