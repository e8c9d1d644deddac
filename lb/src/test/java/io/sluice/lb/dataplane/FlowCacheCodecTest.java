package io.sluice.lb.dataplane;

import static io.sluice.lb.dataplane.FlowFamily.IPV4;
import static io.sluice.lb.dataplane.FlowFamily.IPV6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.bpf.BpfMap;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The flow tables' buckets (flows4, flows6c) and their layout derived from a flow-table size. */
class FlowCacheCodecTest {

    private static FlowKey key(int sport) throws Exception {
        return new FlowKey(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("198.51.100.1"), sport, 80,
                Protocol.TCP);
    }

    private static FlowKey key6(int sport) throws Exception {
        return new FlowKey(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8:100::1"), sport, 53,
                Protocol.UDP);
    }

    @Test
    void anIpv6WayIsTheClientAndTheVipIdInThreeWordsWithItsBackendAndCheckAfterTheKeys() throws Exception {
        FlowWay second = FlowWay.of(key6(1234), 0x0001_0042, 1023, 0xa5);
        FlowWay third = FlowWay.of(key6(9), 16383, 0, 0);
        FlowBucket bucket = new FlowBucket(IPV6, List.of(Optional.empty(), Optional.of(second), Optional.of(third),
                Optional.empty()), 2);

        byte[] bytes = bucket.encode();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

        assertThat(bytes).hasSize(128);
        assertThat(FlowBucket.decode(IPV6, bytes)).isEqualTo(bucket);
        assertThat(FlowBucket.decode(IPV6, bytes).occupied()).containsExactly(second, third);
        // Way 1 at byte 24: the client's 16-byte address and port in network order, the VIP tag, zero pad.
        assertThat(Arrays.copyOfRange(bytes, 24, 40)).containsExactly(InetAddress.getByName("2001:db8::1").getAddress());
        assertThat(Arrays.copyOfRange(bytes, 40, 42)).containsExactly((byte) 0x04, (byte) 0xd2);
        assertThat(Short.toUnsignedInt(b.getShort(24 + 18))).isEqualTo(0x8000 | 1023);
        assertThat(b.getInt(24 + 20)).as("pad").isZero();
        // The backends and checks follow the four keys, one cache line on.
        assertThat(b.getInt(96 + Integer.BYTES)).isEqualTo(0x0001_0042);
        assertThat(b.getInt(96 + 2 * Integer.BYTES)).isEqualTo(16383);
        int hash = FlowHash.hash(key6(1234).encode());
        assertThat(Short.toUnsignedInt(b.getShort(112 + Short.BYTES))).isEqualTo(FlowWay.check(hash, 0x0001_0042));
        assertThat(Short.toUnsignedInt(b.getShort(120))).as("next victim").isEqualTo(2);
        // The table epochs follow next_victim, a byte per way.
        assertThat(Arrays.copyOfRange(bytes, 122, 126)).containsExactly((byte) 0, (byte) 0xa5, (byte) 0, (byte) 0);
        assertThat(b.getShort(126)).as("pad").isZero();
        assertThat(FlowBucket.decode(IPV6, new byte[128])).isEqualTo(FlowBucket.empty(IPV6));
        assertThat(IPV6.bucketSize()).isEqualTo(FlowStructs.Bucket6.SIZE);
    }

    @Test
    void aBucketHoldsOnlyItsFamilysFlowsAndFourWays() throws Exception {
        FlowWay v4 = FlowWay.of(key(1), 5, 2, 0);
        assertThatThrownBy(() -> new FlowBucket(IPV6, List.of(Optional.of(v4), Optional.empty(), Optional.empty(),
                Optional.empty()), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlowBucket(IPV4, List.of(Optional.of(v4)), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FlowBucket.of(List.of(Optional.empty(), Optional.of(v4), Optional.empty(), Optional.empty()), 0)
                .family()).isEqualTo(IPV4);
        assertThatThrownBy(() -> FlowBucket.decode(IPV4, new byte[IPV6.bucketSize()]))
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
    void theCheckTiesTheBackendToTheFlowHashAsTheProgramStoresIt() throws Exception {
        FlowWay way = FlowWay.of(key(1234), 0x0001_0042, 7, 0);
        int hash = FlowHash.hash(key(1234).encode());

        assertThat(way.check()).isEqualTo(((hash >>> 16) ^ 0x0001_0042) & 0xffff);
        // Another backend for the same key stores another check: a mix of two writers fails it.
        assertThat(FlowWay.check(hash, 0x42)).isNotEqualTo(FlowWay.check(hash, 0x43));
        assertThatThrownBy(() -> FlowWay.of(key(1), 1, DataplaneAbi.MAX_VIPS, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlowWay(FlowWayKey.of(key(1), 1), 1, 0x10000, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlowWay(FlowWayKey.of(key(1), 1), 1, 0, 0x100))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIpv4WayIsTheClientAndTheVipIdInOneWordWithItsBackendAndCheckBesideTheOtherWays() throws Exception {
        FlowWay first = FlowWay.of(key(1234), 0x0001_0042, 1023, 0x7f);
        FlowWay fourth = FlowWay.of(key(80), 16383, 0, 0xff);
        FlowBucket bucket = new FlowBucket(IPV4, List.of(Optional.of(first), Optional.empty(), Optional.empty(),
                Optional.of(fourth)), 3);

        byte[] bytes = bucket.encode();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

        assertThat(bytes).hasSize(64);
        assertThat(FlowBucket.decode(IPV4, bytes)).isEqualTo(bucket);
        assertThat(FlowBucket.decode(IPV4, bytes).occupied()).containsExactly(first, fourth);
        // Way 0: client address and port in network order, then the VIP id with the in-use bit.
        assertThat(Arrays.copyOfRange(bytes, 0, 6)).containsExactly((byte) 192, (byte) 0, (byte) 2, (byte) 1, (byte) 0x04, (byte) 0xd2);
        assertThat(Short.toUnsignedInt(b.getShort(FlowStructs.Key4.OFFSET_VIP_TAG))).isEqualTo(0x8000 | 1023);
        assertThat(b.getInt(FlowStructs.Bucket4.OFFSET_BACKEND_ID)).isEqualTo(0x0001_0042);
        assertThat(b.getInt(IPV4.backendOffset(3))).isEqualTo(16383);
        // The check is made from the whole 5-tuple's hash.
        int hash = FlowHash.hash(key(1234).encode());
        assertThat(Short.toUnsignedInt(b.getShort(FlowStructs.Bucket4.OFFSET_CHECK))).isEqualTo(FlowWay.check(hash, 0x0001_0042));
        assertThat(Short.toUnsignedInt(b.getShort(FlowStructs.Bucket4.OFFSET_NEXT_VICTIM))).isEqualTo(3);
        assertThat(b.get(IPV4.tableEpochOffset(0))).isEqualTo((byte) 0x7f);
        assertThat(b.get(IPV4.tableEpochOffset(3))).isEqualTo((byte) 0xff);
        // VIP id 0 is a real key: the in-use bit, not the id, tells a way from an empty one.
        assertThat(Short.toUnsignedInt(b.getShort(IPV4.keyOffset(3) + FlowStructs.Key4.OFFSET_VIP_TAG))).isEqualTo(0x8000);
        assertThat(FlowBucket.decode(IPV4, new byte[64])).isEqualTo(FlowBucket.empty(IPV4));
    }

    @Test
    void aKeyMatchesItsClientWhateverTheVipAndItsFamilyIsTheClients() throws Exception {
        FlowWayKey k = FlowWayKey.of(key(1234), 5);
        assertThat(k.matches(key(1234))).isTrue();
        assertThat(k.matches(key(1235))).isFalse();
        assertThat(k).isEqualTo(new FlowWayKey(InetAddress.getByName("192.0.2.1"), 1234, 5));
        assertThat(k.family()).isEqualTo(IPV4);
        FlowKey v6 = new FlowKey(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2"), 9, 53,
                Protocol.UDP);
        assertThat(FlowWayKey.of(v6, 1).family()).isEqualTo(IPV6);
        assertThatThrownBy(() -> FlowWayKey.of(key(1), DataplaneAbi.MAX_VIPS)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FlowFamily.of(key(1))).isEqualTo(IPV4);
        assertThat(FlowFamily.of(v6)).isEqualTo(IPV6);
    }
}
