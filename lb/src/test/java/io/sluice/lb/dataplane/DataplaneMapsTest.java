package io.sluice.lb.dataplane;

import static io.sluice.lb.dataplane.FlowFamily.IPV4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfException;
import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.bpf.MapType;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DataplaneMaps against the real balancer.o, loaded with its maps pinned in a scratch directory. */
class DataplaneMapsTest {

    private static final int SMALL_FLOW_TABLE = 1024;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int TCP_SYN = 0x02;

    private PinnedBalancer balancer;
    private Path pinDir;
    private BpfObject object;
    private DataplaneMaps maps;

    @BeforeAll
    static void requireRoot() {
        assumeTrue(BpfTestSupport.isRoot(), "loading the balancer needs root");
    }

    @BeforeEach
    void load() {
        balancer = PinnedBalancer.load("maps", SMALL_FLOW_TABLE);
        pinDir = balancer.pinDir();
        object = balancer.object();
        maps = balancer.maps();
    }

    @AfterEach
    void unload() {
        if (balancer != null) {
            balancer.close();
        }
    }

    @Test
    void vipsArePutReadAndDeleted() throws Exception {
        VipKey web = new VipKey(InetAddress.getByName("203.0.113.10"), 80, Protocol.TCP);
        VipKey dns = new VipKey(InetAddress.getByName("2001:db8::53"), 53, Protocol.UDP);
        maps.putVip(web, new VipMeta(1, DataplaneAbi.VIP_FLAGS_NONE));
        maps.putVip(dns, new VipMeta(2, DataplaneAbi.VIP_FLAGS_NONE));
        assertThat(maps.readVips()).containsOnly(Map.entry(web, new VipMeta(1, 0)), Map.entry(dns, new VipMeta(2, 0)));

        maps.deleteVip(web);
        assertThat(maps.readVips()).containsOnlyKeys(dns);
    }

    @Test
    void onlyBackendsInUseAreRead() throws Exception {
        BackendEntry one = BackendEntry.inUse(InetAddress.getByName("10.0.0.1"));
        BackendEntry two = BackendEntry.inUse(InetAddress.getByName("fd00::2"));
        maps.putBackend(1, one);
        maps.putBackend(DataplaneAbi.MAX_BACKENDS - 1, two);
        maps.putBackend(5, new BackendEntry(InetAddress.getByName("10.0.0.5"), 0));
        assertThat(maps.readBackends()).containsOnly(Map.entry(1, one), Map.entry(DataplaneAbi.MAX_BACKENDS - 1, two));

        maps.clearBackend(1);
        assertThat(maps.readBackends()).containsOnlyKeys(DataplaneAbi.MAX_BACKENDS - 1);
    }

    @Test
    void maglevTablesSwapWholeAndReadBack() {
        assertThat(maps.readMaglevTable(3)).isEmpty();
        int[] small = {4, 5, 4, 6, 5, 6, 4};
        maps.swapMaglevTable(3, small);
        assertThat(maps.readMaglevTable(3)).hasValueSatisfying(t -> assertThat(t).containsExactly(small));

        int[] large = IntStream.range(0, 65537).map(i -> i % 3 + 10).toArray();
        maps.swapMaglevTable(3, large);
        assertThat(maps.readMaglevTable(3)).hasValueSatisfying(t -> assertThat(t).containsExactly(large));

        maps.clearMaglevTable(3);
        assertThat(maps.readMaglevTable(3)).isEmpty();
        assertThatThrownBy(() -> maps.swapMaglevTable(3, new int[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNewTableNeverTakesTheEpochOfOneOfTheVipsRecentTablesNorZero() {
        // Left to chance, 300 epochs of 256 would all but surely repeat one within 128 swaps.
        int[] table = {1, 2, 3};
        List<Integer> epochs = new ArrayList<>();
        for (int swap = 0; swap < 300; swap++) {
            maps.swapMaglevTable(5, table);
            epochs.add(DataplaneAbi.tableEpoch(maps.maglevTableId(5).orElseThrow()));
        }
        for (int i = 0; i < epochs.size(); i++) {
            List<Integer> recent = epochs.subList(Math.max(0, i - RecentTableEpochs.RECENT), i);
            assertThat(recent).as("swap %d's epoch %d", i, epochs.get(i)).doesNotContain(epochs.get(i));
            assertThat(epochs.get(i)).isNotEqualTo(DataplaneAbi.TABLE_EPOCH_NONE);
        }
        assertThat(maps.readMaglevTable(5)).hasValueSatisfying(t -> assertThat(t).containsExactly(table));
    }

    @Test
    void aRestartedDaemonAvoidsTheEpochOfTheTableInPlace() {
        maps.swapMaglevTable(7, new int[] {1, 2});
        int inPlace = DataplaneAbi.tableEpoch(maps.maglevTableId(7).orElseThrow());
        try (DataplaneMaps restarted = DataplaneMaps.openPinned(pinDir)) {
            // Map ids are handed out in sequence: burn ids until the next one has the epoch in place,
            // so the restarted daemon's first try would reuse it unless it knows the table in place.
            boolean nextIdReusesIt = false;
            for (int i = 0; i < 4096 && !nextIdReusesIt; i++) {
                try (BpfMap probe = BpfMap.create(MapType.ARRAY, "epoch_probe", 4, 4, 1, 0)) {
                    nextIdReusesIt = DataplaneAbi.tableEpoch(probe.id() + 1) == inPlace;
                }
            }
            assertThat(nextIdReusesIt).isTrue();
            restarted.swapMaglevTable(7, new int[] {2, 1});
            assertThat(DataplaneAbi.tableEpoch(restarted.maglevTableId(7).orElseThrow())).isNotEqualTo(inPlace);
        }
    }

    @Test
    void configIsAbsentUntilWritten() throws Exception {
        assertThat(maps.readConfig()).isEmpty();
        LbConfigEntry config = config();
        maps.writeConfig(config);
        assertThat(maps.readConfig()).contains(config);
    }

    @Test
    void forwardedPacketShowsUpInCountersAndFlowTable() throws Exception {
        Inet4Address vip = (Inet4Address) InetAddress.getByName("203.0.113.10");
        Inet4Address client = (Inet4Address) InetAddress.getByName("198.51.100.7");
        int vipId = 7;
        int backendId = 42;
        maps.writeConfig(config());
        maps.putBackend(backendId, BackendEntry.inUse(InetAddress.getByName("10.0.0.42")));
        maps.swapMaglevTable(vipId, new int[] {backendId, backendId, backendId, backendId, backendId, backendId,
            backendId});
        maps.putVip(new VipKey(vip, 80, Protocol.TCP), new VipMeta(vipId, DataplaneAbi.VIP_FLAGS_NONE));
        maps.resetVipTraffic(vipId);
        maps.resetBackendTraffic(backendId);
        Map<Reason, Long> before = maps.reasonCounts();

        byte[] syn = tcpSyn(client, vip, 40000, 80);
        try (BpfProgram balancer = object.program(DataplaneAbi.PROG_BALANCER)) {
            TestRunResult result = balancer.testRun(syn, 1);
            assertThat(result.action()).isEqualTo(XdpAction.TX);
            assertThat(balancer.testRun(arp(), 1).action()).isEqualTo(XdpAction.PASS);
        }

        Map<Reason, Long> after = maps.reasonCounts();
        assertThat(after).containsOnlyKeys(Reason.values());
        assertThat(after.get(Reason.TX_FORWARDED) - before.get(Reason.TX_FORWARDED)).isEqualTo(1);
        assertThat(after.get(Reason.PASS_NOT_IP) - before.get(Reason.PASS_NOT_IP)).isEqualTo(1);
        int ipLength = syn.length - 14;
        assertThat(maps.vipTraffic(vipId)).satisfies(t -> {
            assertThat(t.packets()).isEqualTo(1);
            assertThat(t.bytes()).isEqualTo(ipLength);
        });
        assertThat(maps.backendTraffic(backendId).packets()).isEqualTo(1);
        assertThat(maps.vipTraffic(vipId + 1)).isEqualTo(TrafficCounter.ZERO);

        FlowKey flow = new FlowKey(client, vip, 40000, 80, Protocol.TCP);
        assertThat(maps.lookupFlow(flow)).contains(new FlowEntry(backendId, vipId));
        assertThat(maps.flowCount()).isEqualTo(1);
        assertThat(maps.flowsByOwner()).containsExactly(Map.entry(backendId, 1L));
        assertRangedCountsSeeOnlyTheirBuckets(maps);
        assertThat(maps.flushFlows()).isEqualTo(3);
        assertThat(maps.flowsByOwner()).isEmpty();
        assertThat(maps.flowCount()).isZero();
        assertThat(maps.lookupFlow(flow)).isEmpty();

        maps.resetVipTraffic(vipId);
        assertThat(maps.vipTraffic(vipId)).isEqualTo(TrafficCounter.ZERO);
    }

    @Test
    void flushEmptiesBothTablesFromFirstToLastBucketAndCountsTheirFlowsInTheKernelsCopyToo() throws Exception {
        int batch = 4096; // an earlier DataplaneMaps emptied the flow cache 4,096 buckets at a time
        Path dir = BpfTestSupport.newPinDir("flush");
        try (BpfObject big = PinnedBalancer.load(dir, 32_768);
             DataplaneMaps bigMaps = DataplaneMaps.of(big);
             BpfMap flows4 = big.map(DataplaneAbi.MAP_FLOWS4);
             BpfMap flows6 = big.map(DataplaneAbi.MAP_FLOWS6)) {
            int buckets = bigMaps.flowBucketCount();
            assertThat(buckets).isGreaterThan(batch);
            InetAddress client = InetAddress.getByName("192.0.2.7");
            InetAddress vip = InetAddress.getByName("198.51.100.7");
            FlowWay one = FlowWay.of(new FlowKey(client, vip, 1000, 80, Protocol.TCP), 3, 1, 0);
            FlowWay two = FlowWay.of(new FlowKey(client, vip, 1001, 80, Protocol.TCP), 4, 1, 0);
            FlowBucket single = FlowBucket.of(List.of(Optional.of(one), Optional.empty(), Optional.empty(),
                    Optional.empty()), 1);
            FlowBucket pair = FlowBucket.of(List.of(Optional.of(one), Optional.empty(), Optional.of(two),
                    Optional.empty()), 3);
            List<Integer> filled = List.of(0, batch - 1, batch, buckets - 1);
            for (int index : filled) {
                bigMaps.writeFlowBucket(index, index == batch ? pair : single);
            }
            // A bucket with no flow but a moved victim pointer is emptied too, and counts nothing.
            bigMaps.writeFlowBucket(batch + 1, new FlowBucket(IPV4, FlowBucket.empty(IPV4).ways(), 2));
            FlowWay six = FlowWay.of(new FlowKey(InetAddress.getByName("2001:db8::7"),
                    InetAddress.getByName("2001:db8:100::7"), 1000, 80, Protocol.TCP), 5, 2, 0);
            FlowBucket six1 = FlowBucket.of(List.of(Optional.empty(), Optional.of(six), Optional.empty(),
                    Optional.empty()), 0);
            bigMaps.writeFlowBucket(batch, six1);
            bigMaps.writeFlowBucket(buckets - 1, six1);
            assertThat(bigMaps.flowCount()).isEqualTo(7);
            assertThat(bigMaps.flowsByOwner()).containsOnly(Map.entry(3, 4L), Map.entry(4, 1L), Map.entry(5, 2L));

            assertThat(bigMaps.flushFlows()).isEqualTo(7);
            byte[] kernelCopy4 = new byte[IPV4.bucketSize()];
            byte[] kernelCopy6 = new byte[FlowFamily.IPV6.bucketSize()];
            for (int index : List.of(0, batch - 1, batch, batch + 1, buckets - 1)) {
                assertThat(bigMaps.readFlowBucket(IPV4, index)).isEqualTo(FlowBucket.empty(IPV4));
                assertThat(bigMaps.readFlowBucket(FlowFamily.IPV6, index)).isEqualTo(FlowBucket.empty(FlowFamily.IPV6));
                // The mapping is the map's memory, not a private copy: a syscall lookup sees the flush.
                assertThat(flows4.lookup(Codec.u32(index), kernelCopy4)).isTrue();
                assertThat(FlowBucket.decode(IPV4, kernelCopy4)).isEqualTo(FlowBucket.empty(IPV4));
                assertThat(flows6.lookup(Codec.u32(index), kernelCopy6)).isTrue();
                assertThat(FlowBucket.decode(FlowFamily.IPV6, kernelCopy6)).isEqualTo(FlowBucket.empty(FlowFamily.IPV6));
            }
            assertThat(bigMaps.flowCount()).isZero();
        } finally {
            BpfTestSupport.removePinDir(dir);
        }
    }

    /**
     * With the one remembered flow's bucket copied into the first and the last bucket: each range
     * counts the ways in its own flows4 buckets and no others. Leaves three occupied slots.
     */
    private static void assertRangedCountsSeeOnlyTheirBuckets(DataplaneMaps maps) {
        int buckets = maps.flowBucketCount();
        int held = -1;
        for (int i = 0; i < buckets && held < 0; i++) {
            if (!maps.readFlowBucket(IPV4, i).occupied().isEmpty()) {
                held = i;
            }
        }
        assertThat(held).isBetween(0, buckets - 1);
        if (held == 0 || held == buckets - 1) { // keep the three buckets distinct
            maps.writeFlowBucket(buckets / 2, maps.readFlowBucket(IPV4, held));
            maps.writeFlowBucket(held, FlowBucket.empty(IPV4));
            held = buckets / 2;
        }
        maps.writeFlowBucket(0, maps.readFlowBucket(IPV4, held));
        maps.writeFlowBucket(buckets - 1, maps.readFlowBucket(IPV4, held));

        assertThat(maps.flowCount()).isEqualTo(3);
        assertThat(maps.flowCount(IPV4, 0, 1)).isEqualTo(1);
        assertThat(maps.flowCount(IPV4, buckets - 1, 1)).isEqualTo(1);
        assertThat(maps.flowCount(IPV4, held, 1)).isEqualTo(1);
        assertThat(maps.flowCount(IPV4, 1, held - 1)).isZero();
        assertThat(maps.flowCount(IPV4, held + 1, buckets - held - 2)).isZero();
        assertThat(maps.flowCount(IPV4, 0, held)).isEqualTo(1);
        assertThat(maps.flowCount(IPV4, held, buckets - held)).isEqualTo(2);
        assertThat(maps.flowCount(FlowFamily.IPV6, 0, buckets)).as("an IPv4 flow is never in flows6c").isZero();
    }

    @Test
    void aFlowTablePinnedWithoutTheMmapableFlagIsRefusedOnAdoption() {
        for (FlowFamily family : FlowFamily.values()) {
            Path dir = BpfTestSupport.newPinDir("oldflows");
            try (BpfObject pinned = PinnedBalancer.load(dir, SMALL_FLOW_TABLE)) {
                // As ABI 7 pinned its table: the same array, same sizes, without BPF_F_MMAPABLE.
                try (BpfMap current = pinned.map(family.mapName());
                     BpfMap old = BpfMap.create(MapType.ARRAY, family.mapName(), current.keySize(),
                        current.valueSize(), current.maxEntries(), 0)) {
                    Path pin = dir.resolve(family.mapName());
                    java.nio.file.Files.delete(pin);
                    old.pin(pin);
                }
                assertThatThrownBy(() -> DataplaneMaps.openPinned(dir)).as(family.mapName())
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("map '" + family.mapName() + "' is not mmapable")
                        .hasMessageContaining("detach the old data plane");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                BpfTestSupport.removePinDir(dir);
            }
        }
    }

    @Test
    void adoptionThroughPinsSeesWhatTheLoaderWrote() throws Exception {
        VipKey key = new VipKey(InetAddress.getByName("203.0.113.99"), 443, Protocol.TCP);
        maps.putVip(key, new VipMeta(9, 0));
        maps.swapMaglevTable(9, new int[] {1, 2, 3});
        try (DataplaneMaps adopted = DataplaneMaps.openPinned(pinDir)) {
            assertThat(adopted.readVips()).containsEntry(key, new VipMeta(9, 0));
            assertThat(adopted.readMaglevTable(9)).hasValueSatisfying(t -> assertThat(t).containsExactly(1, 2, 3));
        }
    }

    @Test
    void adoptingADirectoryWithoutPinsNamesTheMissingPin() {
        Path empty = BpfTestSupport.newPinDir("empty");
        try {
            assertThatThrownBy(() -> DataplaneMaps.openPinned(empty))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining(empty.resolve(DataplaneAbi.MAP_VIPS).toString());
        } finally {
            BpfTestSupport.removePinDir(empty);
        }
    }

    private static LbConfigEntry config() throws Exception {
        return new LbConfigEntry(new byte[] {2, 0, 0, 0, 0, 1}, 1600,
                (Inet4Address) InetAddress.getByName("172.16.0.1"), 0x000000ff,
                (Inet6Address) InetAddress.getByName("fd00::1"), 0x000000ff, 0);
    }

    private static byte[] arp() {
        ByteBuffer frame = ByteBuffer.allocate(60);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 9});
        frame.putShort((short) ETHERTYPE_ARP);
        return frame.array();
    }

    /** Ethernet + IPv4 (20 bytes, valid checksum) + TCP SYN (20 bytes). */
    private static byte[] tcpSyn(Inet4Address src, Inet4Address dst, int sport, int dport) {
        int ipLength = 40;
        ByteBuffer frame = ByteBuffer.allocate(14 + ipLength);
        frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 3});
        frame.putShort((short) ETHERTYPE_IPV4);
        int ipStart = frame.position();
        frame.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) Protocol.TCP.number()).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        frame.putShort(ipStart + 10, (short) ipv4Checksum(frame.array(), ipStart));
        frame.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0)
                .put((byte) 0x50).put((byte) TCP_SYN).putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        return frame.array();
    }

    private static int ipv4Checksum(byte[] bytes, int start) {
        int sum = 0;
        for (int i = start; i < start + 20; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return ~sum & 0xffff;
    }
}
