package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.CpuPin;
import io.sluice.testing.packet.EtherType;
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.IcmpMessage;
import io.sluice.testing.packet.Ipv4Header;
import io.sluice.testing.packet.Ipv6Header;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The balancer XDP program, packet in, packet out, through BPF_PROG_TEST_RUN (root only). */
class BalancerPacketTest {
    private static final String CLIENT4 = "192.0.2.10";
    private static final String CLIENT6 = "2001:db8::10";
    private static final String VIP4 = "198.51.100.1";
    private static final String VIP6 = "2001:db8:100::1";
    private static final int HTTP = 80;
    private static final int DNS = 53;
    private static final int CLIENT_PORT = 40000;
    private static final String BACKEND4_A = "10.2.0.1";
    private static final String BACKEND4_B = "10.2.0.2";
    private static final String BACKEND6_A = "fd02::1";
    private static final int VIP_TCP4 = 1;
    private static final int VIP_UDP4 = 2;
    private static final int VIP_TCP6 = 3;
    private static final int VIP_UDP6 = 4;
    private static final int ID_BACKEND4_A = 1;
    private static final int ID_BACKEND4_B = 2;
    private static final int ID_BACKEND6_A = 3;
    private static final int ID_UNUSED = 9;
    private static final int MTU = 1500;
    private static final String ENCAP_SRC4 = "10.0.0.0";
    private static final int ENCAP_SRC4_VARY = 0xff;
    private static final String ENCAP_SRC6 = "fd00::";
    private static final int ENCAP_SRC6_VARY = 0xffff;
    private static final int SMALL_TABLE = 7;
    private static final int OUTER_TTL = 64;
    private static final int IPV6_MIN_MTU = 1280;

    private BalancerRig rig;
    private DataplaneMaps maps;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        rig = BalancerRig.balancer();
        maps = rig.maps();
    }

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private void configure(int mtu) {
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, mtu, (Inet4Address) ip(ENCAP_SRC4), ENCAP_SRC4_VARY,
                (Inet6Address) ip(ENCAP_SRC6), ENCAP_SRC6_VARY, 0));
    }

    /** Four VIPs (TCP/UDP x v4/v6), three backends, every table pointing at {@code backendId}. */
    private void standardSetup(int backendId) {
        configure(MTU);
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        maps.putVip(new VipKey(ip(VIP4), DNS, Protocol.UDP), new VipMeta(VIP_UDP4, 0));
        maps.putVip(new VipKey(ip(VIP6), HTTP, Protocol.TCP), new VipMeta(VIP_TCP6, 0));
        maps.putVip(new VipKey(ip(VIP6), DNS, Protocol.UDP), new VipMeta(VIP_UDP6, 0));
        maps.putBackend(ID_BACKEND4_A, BackendEntry.inUse(ip(BACKEND4_A)));
        maps.putBackend(ID_BACKEND4_B, BackendEntry.inUse(ip(BACKEND4_B)));
        maps.putBackend(ID_BACKEND6_A, BackendEntry.inUse(ip(BACKEND6_A)));
        for (int vip : new int[] {VIP_TCP4, VIP_UDP4, VIP_TCP6, VIP_UDP6}) {
            maps.swapMaglevTable(vip, filled(SMALL_TABLE, backendId));
        }
    }

    private static int[] filled(int size, int backendId) {
        int[] table = new int[size];
        Arrays.fill(table, backendId);
        return table;
    }

    private static PacketBuilder fromClient4() {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT4, VIP4);
    }

    private static PacketBuilder fromClient6() {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6(CLIENT6, VIP6);
    }

    private static int hash(String src, String dst, int sport, int dport, Protocol protocol) {
        return FlowHash.hash(new FlowKey(ip(src), ip(dst), sport, dport, protocol).encode());
    }

    private static String outerSource4(int hash) {
        return "10.0.0." + (hash & ENCAP_SRC4_VARY);
    }

    private static String outerSource6(int hash) {
        return ENCAP_SRC6 + Integer.toHexString(hash & ENCAP_SRC6_VARY);
    }

    /** The frame the balancer must send: gateway MAC, our MAC, outer header, the inner packet unchanged. */
    private static byte[] encapsulated(byte[] input, int hash, String backend, int tos) {
        byte[] inner = Frame.parse(input).l3Bytes();
        boolean innerV6 = (inner[0] >>> 4) == 6;
        int protocol = innerV6 ? EtherType.PROTO_IPV6 : EtherType.PROTO_IPIP;
        PacketBuilder outer = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC);
        if (ip(backend) instanceof Inet6Address) {
            outer.ipv6(outerSource6(hash), backend);
        } else {
            outer.ipv4(outerSource4(hash), backend).ipv4Id(0).dontFragment();
        }
        return outer.tos(tos).ttl(OUTER_TTL).rawPayload(protocol, inner).build();
    }

    private long count(Reason reason) {
        return maps.reasonCounts().get(reason);
    }

    private void assertPassedUntouched(byte[] input, Reason reason) {
        TestRunResult result = rig.run(input);
        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        assertThat(result.data()).isEqualTo(input);
        assertThat(count(reason)).isEqualTo(1);
        assertThat(count(Reason.TX_FORWARDED)).isZero();
    }

    private void assertDropped(byte[] input, Reason reason) {
        TestRunResult result = rig.run(input);
        assertThat(result.action()).isEqualTo(XdpAction.DROP);
        assertThat(count(reason)).isEqualTo(1);
        assertThat(count(Reason.TX_FORWARDED)).isZero();
    }

    // --- forwarding and the four encapsulations

    @Test
    void tcpToIpv4VipIsEncapsulatedIpv4InIpv4() {
        standardSetup(ID_BACKEND4_A);
        byte[] input = fromClient4().tos(0x28).tcp(CLIENT_PORT, HTTP).payload(100).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, HTTP, Protocol.TCP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND4_A, 0x28));
        Ipv4Header outer = Frame.parse(result.data()).ipv4();
        assertThat(outer.checksumValid()).isTrue();
        assertThat(outer.dontFragment()).isTrue();
        int innerLength = input.length - PacketBuilder.ETHERNET_HEADER;
        assertThat(maps.vipTraffic(VIP_TCP4)).isEqualTo(new TrafficCounter(1, innerLength, 1));
        assertThat(maps.backendTraffic(ID_BACKEND4_A)).isEqualTo(new TrafficCounter(1, innerLength, 1));
        Map<Reason, Long> reasons = maps.reasonCounts();
        assertThat(reasons.get(Reason.TX_FORWARDED)).isEqualTo(1);
        assertThat(reasons.get(Reason.FLOW_MISS)).isEqualTo(1);
        assertThat(reasons.get(Reason.FLOW_HIT)).isZero();
    }

    @Test
    void udpToIpv4VipIsEncapsulatedIpv4InIpv4() {
        standardSetup(ID_BACKEND4_B);
        byte[] input = fromClient4().udp(CLIENT_PORT, DNS).payload(40).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, DNS, Protocol.UDP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND4_B, 0));
        assertThat(maps.vipTraffic(VIP_UDP4).packets()).isEqualTo(1);
        assertThat(maps.vipTraffic(VIP_TCP4).packets()).isZero();
    }

    @Test
    void tcpToIpv6VipIsEncapsulatedIpv6InIpv6() {
        standardSetup(ID_BACKEND6_A);
        byte[] input = fromClient6().tos(0xb8).tcp(CLIENT_PORT, HTTP).payload(64).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT6, VIP6, CLIENT_PORT, HTTP, Protocol.TCP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND6_A, 0xb8));
        assertThat(Frame.parse(result.data()).ipv6().nextHeader()).isEqualTo(EtherType.PROTO_IPV6);
        assertThat(maps.backendTraffic(ID_BACKEND6_A))
                .isEqualTo(new TrafficCounter(1, input.length - PacketBuilder.ETHERNET_HEADER, 1));
    }

    @Test
    void udpToIpv6VipIsEncapsulatedIpv6InIpv6() {
        standardSetup(ID_BACKEND6_A);
        byte[] input = fromClient6().udp(CLIENT_PORT, DNS).payload(30).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT6, VIP6, CLIENT_PORT, DNS, Protocol.UDP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND6_A, 0));
    }

    @Test
    void ipv4VipToIpv6BackendIsEncapsulatedIpv4InIpv6() {
        standardSetup(ID_BACKEND6_A);
        byte[] input = fromClient4().tos(0x10).tcp(CLIENT_PORT, HTTP).payload(10).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, HTTP, Protocol.TCP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND6_A, 0x10));
        assertThat(Frame.parse(result.data()).ipv6().nextHeader()).isEqualTo(EtherType.PROTO_IPIP);
    }

    @Test
    void ipv6VipToIpv4BackendIsEncapsulatedIpv6InIpv4() {
        standardSetup(ID_BACKEND4_A);
        byte[] input = fromClient6().udp(CLIENT_PORT, DNS).payload(10).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT6, VIP6, CLIENT_PORT, DNS, Protocol.UDP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND4_A, 0));
        assertThat(Frame.parse(result.data()).ipv4().protocol()).isEqualTo(EtherType.PROTO_IPV6);
    }

    @Test
    void vlanTagIsKeptAndCarriesTheOuterEthertype() {
        standardSetup(ID_BACKEND4_A);
        byte[] input = fromClient4().vlan(42).tcp(CLIENT_PORT, HTTP).payload(20).build();

        TestRunResult result = rig.run(input);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        Frame out = Frame.parse(result.data());
        assertThat(out.vlanId()).hasValue(42);
        assertThat(out.etherType()).isEqualTo(EtherType.IPV4);
        assertThat(out.dstMac()).isEqualTo(GATEWAY_MAC);
        assertThat(out.srcMac()).isEqualTo(LB_MAC);
        assertThat(out.ipv4().dst()).isEqualTo(ip(BACKEND4_A));
        byte[] innerIn = Frame.parse(input).l3Bytes();
        assertThat(Arrays.copyOfRange(result.data(), out.ipv4().payloadOffset(), result.data().length))
                .isEqualTo(innerIn);
    }

    @Test
    void minimumFramePaddingStaysOutsideTheOuterIpLengthAndIsNotCut() {
        standardSetup(ID_BACKEND4_A);
        byte[] unpadded = fromClient4().udp(CLIENT_PORT, DNS).payload(2).build();
        byte[] padded = Arrays.copyOf(unpadded, 60);
        Arrays.fill(padded, unpadded.length, padded.length, (byte) 0xee);

        TestRunResult result = rig.run(padded);

        // The outer header's length ends at the inner packet: the padding is the outer frame's.
        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, DNS, Protocol.UDP);
        byte[] encapsulated = encapsulated(unpadded, hash, BACKEND4_A, 0);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).hasSize(encapsulated.length + padded.length - unpadded.length);
        assertThat(Arrays.copyOf(result.data(), encapsulated.length)).isEqualTo(encapsulated);
        assertThat(Arrays.copyOfRange(result.data(), encapsulated.length, result.data().length))
                .containsOnly((byte) 0xee);
    }

    @Test
    void bytesAfterThePacketInALongerFrameAreNotCarriedIntoTheTunnel() {
        standardSetup(ID_BACKEND4_A);
        byte[] packet = fromClient4().udp(CLIENT_PORT, DNS).payload(100).build();
        byte[] trailed = Arrays.copyOf(packet, packet.length + 30);

        TestRunResult result = rig.run(trailed);

        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, DNS, Protocol.UDP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(packet, hash, BACKEND4_A, 0));
    }

    // --- flow table and Maglev

    @Test
    void establishedFlowStaysOnItsBackendAfterTheTableChanges() {
        standardSetup(ID_BACKEND4_A);
        byte[] first = fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).payload(5).build();
        assertThat(Frame.parse(rig.run(first).data()).ipv4().dst()).isEqualTo(ip(BACKEND4_A));

        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));
        TestRunResult again = rig.run(first);
        byte[] newFlow = fromClient4().tcp(CLIENT_PORT + 1, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).payload(5).build();
        TestRunResult other = rig.run(newFlow);

        assertThat(Frame.parse(again.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_A));
        assertThat(Frame.parse(other.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_HIT)).isEqualTo(1);
        assertThat(count(Reason.FLOW_MISS)).isEqualTo(2);
        assertThat(maps.lookupFlow(new FlowKey(ip(CLIENT4), ip(VIP4), CLIENT_PORT, HTTP, Protocol.TCP)))
                .contains(new FlowEntry(ID_BACKEND4_A, VIP_TCP4));
        assertThat(maps.backendTraffic(ID_BACKEND4_A)).isEqualTo(new TrafficCounter(2, 2L * (first.length - 14), 1));
    }

    /** Runs the frame on `cpu` (the test is skipped where the thread may not run there). */
    private TestRunResult runOn(byte[] frame, int cpu) {
        Optional<CpuPin> pin = CpuPin.on(cpu);
        assumeTrue(pin.isPresent(), "the test thread may not run on CPU " + cpu);
        try (CpuPin pinned = pin.get()) {
            return rig.run(frame);
        }
    }

    @Test
    void flowThatChangedCpuKeepsItsBackendAfterATableChange() {
        int cpus = BpfMap.possibleCpus();
        assumeTrue(cpus >= 2, "needs two CPUs");
        standardSetup(ID_BACKEND4_A);
        byte[] ack = fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).payload(5).build();
        byte[] datagram = fromClient4().udp(CLIENT_PORT, DNS).payload(5).build();
        runOn(ack, 0);
        runOn(datagram, 0);
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));
        maps.swapMaglevTable(VIP_UDP4, filled(SMALL_TABLE, ID_BACKEND4_B));

        // One table for every CPU: wherever the flow's packets run, they find its one entry.
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertThat(Frame.parse(runOn(ack, cpu).data()).ipv4().dst()).as("TCP on CPU %d", cpu)
                    .isEqualTo(ip(BACKEND4_A));
            assertThat(Frame.parse(runOn(datagram, cpu).data()).ipv4().dst()).as("UDP on CPU %d", cpu)
                    .isEqualTo(ip(BACKEND4_A));
        }
        assertThat(count(Reason.FLOW_HIT)).isEqualTo(2L * cpus);
        assertThat(maps.flowCount()).isEqualTo(2);

        // A SYN of the same 5-tuple starts a new flow: it follows the table.
        byte[] syn = fromClient4().tcp(CLIENT_PORT, HTTP).build();
        assertThat(Frame.parse(rig.run(syn).data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
    }

    @Test
    void slotWhoseBackendDoesNotMatchItsCheckIsAMissAndIsRewritten() {
        // What two CPUs writing one slot at once can leave: this flow's key, another write's backend.
        standardSetup(ID_BACKEND4_A);
        byte[] ack = fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
        rig.run(ack);
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));
        int bucket = maps.bucketOf(FlowHash.hash(flow4(CLIENT_PORT)));
        byte[] torn = maps.readFlowBucket(FlowFamily.IPV4, bucket).encode();
        int way = 0;
        ByteBuffer.wrap(torn).order(ByteOrder.nativeOrder()).putInt(FlowFamily.IPV4.backendOffset(way), ID_BACKEND6_A);
        // As raw bytes: the check stays the one stored for the earlier backend.
        maps.writeFlowBucketBytes(FlowFamily.IPV4, bucket, torn);
        assertThat(maps.lookupFlow(flow4(CLIENT_PORT))).as("the Java view requires the check too").isEmpty();

        TestRunResult result = rig.run(ack);

        assertThat(Frame.parse(result.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_HIT)).isZero();
        assertThat(count(Reason.FLOW_MISS)).isEqualTo(2);
        assertThat(maps.lookupFlow(flow4(CLIENT_PORT))).contains(new FlowEntry(ID_BACKEND4_B, VIP_TCP4));
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    @Test
    void flowWhoseBackendLeftServiceIsRebalanced() {
        standardSetup(ID_BACKEND4_A);
        byte[] packet = fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
        rig.run(packet);
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));
        maps.clearBackend(ID_BACKEND4_A);

        TestRunResult result = rig.run(packet);

        assertThat(Frame.parse(result.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_MISS)).isEqualTo(2);
        // Re-chosen in place: the flow's slot now names the new backend, no second slot.
        assertThat(maps.lookupFlow(flow4(CLIENT_PORT))).contains(new FlowEntry(ID_BACKEND4_B, VIP_TCP4));
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    @Test
    void aVipGivenAnotherIdMissesItsFlowsOldEntries() {
        standardSetup(ID_BACKEND4_A);
        byte[] packet = fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
        rig.run(packet);
        int reusedId = 7;
        maps.swapMaglevTable(reusedId, filled(SMALL_TABLE, ID_BACKEND4_B));
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(reusedId, 0));

        TestRunResult result = rig.run(packet);

        assertThat(Frame.parse(result.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_HIT)).isZero();
        assertThat(count(Reason.FLOW_MISS)).isEqualTo(2);
        assertThat(maps.lookupFlow(flow4(CLIENT_PORT))).contains(new FlowEntry(ID_BACKEND4_B, reusedId));
        // The key carries the VIP id: the old id's entry is another key, left until its way is reused.
        assertThat(maps.flowCount()).isEqualTo(2);
        assertThat(Frame.parse(rig.run(packet).data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_HIT)).isEqualTo(1);
    }

    @Test
    void aVipIdReusedByAnotherVipFindsTheOldKeyButNotItsCheckAndOverwritesIt() throws Exception {
        // Another VIP gets the old one's id, and the client's flow to it lands in the old flow's
        // bucket: same client address, port and VIP id, so the same IPv4 key. Only the check, made
        // from the whole 5-tuple, tells them apart.
        standardSetup(ID_BACKEND4_A);
        rig.run(fromClient4().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());
        int bucket = maps.bucketOf(FlowHash.hash(flow4(CLIENT_PORT)));
        int hash = FlowHash.hash(flow4(CLIENT_PORT));
        String otherVip = "198.51.100.2";
        int port = IntStream.rangeClosed(1, 0xffff).filter(p -> {
            int h = FlowHash.hash(new FlowKey(ip(CLIENT4), ip(otherVip), CLIENT_PORT, p, Protocol.TCP));
            return maps.bucketOf(h) == bucket && FlowWay.check(h, ID_BACKEND4_A) != FlowWay.check(hash, ID_BACKEND4_A);
        }).findFirst().orElseThrow();
        maps.deleteVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP));
        maps.putVip(new VipKey(ip(otherVip), port, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));

        TestRunResult result = rig.run(PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT4, otherVip)
                .tcp(CLIENT_PORT, port).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());

        assertThat(Frame.parse(result.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(count(Reason.FLOW_HIT)).isZero();
        assertThat(count(Reason.FLOW_MISS)).isEqualTo(2);
        assertThat(maps.readFlowBucket(FlowFamily.IPV4, bucket).occupied()).as("overwritten in place").singleElement()
                .extracting(FlowWay::backendId).isEqualTo(ID_BACKEND4_B);
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    @Test
    void ipv6FlowsLiveInTheirOwnTableAndStayOnTheirBackendAfterATableChange() {
        standardSetup(ID_BACKEND6_A);
        byte[] ack = fromClient6().tcp(CLIENT_PORT, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
        rig.run(ack);
        int bucket = maps.bucketOf(FlowHash.hash(flow6(CLIENT_PORT)));
        assertThat(maps.readFlowBucket(FlowFamily.IPV6, bucket).occupied()).singleElement()
                .isEqualTo(FlowWay.of(flow6(CLIENT_PORT), ID_BACKEND6_A, VIP_TCP6,
                        DataplaneAbi.tableEpoch(maps.maglevTableId(VIP_TCP6).orElseThrow())));
        assertThat(maps.flowCount(FlowFamily.IPV4, 0, maps.flowBucketCount())).isZero();
        maps.swapMaglevTable(VIP_TCP6, filled(SMALL_TABLE, ID_BACKEND4_A));

        TestRunResult remembered = rig.run(ack);
        TestRunResult fresh = rig.run(fromClient6().tcp(CLIENT_PORT + 1, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK)
                .build());

        assertThat(Frame.parse(remembered.data()).ipv6().dst()).isEqualTo(ip(BACKEND6_A));
        assertThat(Frame.parse(fresh.data()).ipv4().dst()).as("6in4 to the new owner").isEqualTo(ip(BACKEND4_A));
        assertThat(count(Reason.FLOW_HIT)).isEqualTo(1);
        assertThat(maps.lookupFlow(flow6(CLIENT_PORT))).contains(new FlowEntry(ID_BACKEND6_A, VIP_TCP6));
        assertThat(maps.flowCount(FlowFamily.IPV6, 0, maps.flowBucketCount())).isEqualTo(2);
    }

    @Test
    void fullBucketEvictsItsOldestFlowWhichMaglevThenChoosesAgain() {
        standardSetup(ID_BACKEND4_A);
        int[] ports = portsInOneBucket(DataplaneAbi.FLOW_WAYS + 1);
        int bucket = maps.bucketOf(FlowHash.hash(flow4(ports[0])));
        for (int port : ports) {
            assertThat(rig.run(fromClient4().tcp(port, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build()).action()).isEqualTo(XdpAction.TX);
        }

        // The fifth flow took the first one's way: FIFO within the bucket.
        assertThat(maps.lookupFlow(flow4(ports[0]))).isEmpty();
        for (int i = 1; i < ports.length; i++) {
            assertThat(maps.lookupFlow(flow4(ports[i]))).as("port %d", ports[i])
                    .contains(new FlowEntry(ID_BACKEND4_A, VIP_TCP4));
        }
        FlowBucket seen = maps.readFlowBucket(FlowFamily.IPV4, bucket);
        assertThat(seen.occupied()).extracting(slot -> slot.key().srcPort())
                .containsExactly(ports[4], ports[1], ports[2], ports[3]);
        assertThat(seen.nextVictim()).isEqualTo(1);
        assertThat(maps.flowCount()).isEqualTo(DataplaneAbi.FLOW_WAYS);

        // After a table change, the evicted flow is a new flow (Maglev: B), a remembered one stays on A.
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_B));
        long missesBefore = count(Reason.FLOW_MISS);
        TestRunResult evicted = rig.run(fromClient4().tcp(ports[0], HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());
        TestRunResult kept = rig.run(fromClient4().tcp(ports[2], HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());

        assertThat(Frame.parse(evicted.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_B));
        assertThat(Frame.parse(kept.data()).ipv4().dst()).isEqualTo(ip(BACKEND4_A));
        assertThat(count(Reason.FLOW_MISS) - missesBefore).isEqualTo(1);
        // Re-inserting it evicted the next oldest, the second flow.
        assertThat(maps.lookupFlow(flow4(ports[0]))).contains(new FlowEntry(ID_BACKEND4_B, VIP_TCP4));
        assertThat(maps.lookupFlow(flow4(ports[1]))).isEmpty();
    }

    @Test
    void aFullIpv6BucketEvictsItsOldestFlowAndKeepsTheOthers() {
        standardSetup(ID_BACKEND6_A);
        int[] ports = portsInOneBucket(DataplaneAbi.FLOW_WAYS + 1, BalancerPacketTest::flow6);
        int bucket = maps.bucketOf(FlowHash.hash(flow6(ports[0])));
        for (int port : ports) {
            assertThat(rig.run(fromClient6().tcp(port, HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build()).action())
                    .isEqualTo(XdpAction.TX);
        }

        FlowBucket seen = maps.readFlowBucket(FlowFamily.IPV6, bucket);
        assertThat(seen.occupied()).extracting(way -> way.key().srcPort())
                .containsExactly(ports[4], ports[1], ports[2], ports[3]);
        assertThat(seen.nextVictim()).isEqualTo(1);
        assertThat(maps.lookupFlow(flow6(ports[0]))).isEmpty();
        maps.swapMaglevTable(VIP_TCP6, filled(SMALL_TABLE, ID_BACKEND4_A));

        TestRunResult kept = rig.run(fromClient6().tcp(ports[3], HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());
        TestRunResult evicted = rig.run(fromClient6().tcp(ports[0], HTTP).tcpFlags(PacketBuilder.TCP_FLAG_ACK).build());

        assertThat(Frame.parse(kept.data()).ipv6().dst()).as("remembered").isEqualTo(ip(BACKEND6_A));
        assertThat(Frame.parse(evicted.data()).ipv4().dst()).as("chosen again: 6in4 to the new owner")
                .isEqualTo(ip(BACKEND4_A));
        assertThat(maps.lookupFlow(flow6(ports[1]))).as("the next oldest made room").isEmpty();
    }

    @Test
    void flowCountCountsRememberedFlowsAndFlushEmptiesTheCache() {
        standardSetup(ID_BACKEND4_A);
        assertThat(maps.flowCount()).isZero();
        for (int port = CLIENT_PORT; port < CLIENT_PORT + 3; port++) {
            rig.run(fromClient4().tcp(port, HTTP).build());
        }
        rig.run(fromClient4().tcp(CLIENT_PORT, HTTP).build());
        rig.run(fromClient6().udp(CLIENT_PORT, DNS).build());

        assertThat(maps.flowCount()).isEqualTo(4);
        assertThat(maps.flushFlows()).isEqualTo(4);
        assertThat(maps.flowCount()).isZero();
        assertThat(maps.lookupFlow(flow4(CLIENT_PORT))).isEmpty();

        long missesBefore = count(Reason.FLOW_MISS);
        rig.run(fromClient4().tcp(CLIENT_PORT, HTTP).build());
        assertThat(count(Reason.FLOW_MISS) - missesBefore).isEqualTo(1);
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    /** Source ports from CLIENT4 to VIP4:80 whose flows share one flow-cache bucket. */
    private int[] portsInOneBucket(int n) {
        return portsInOneBucket(n, BalancerPacketTest::flow4);
    }

    /** Source ports whose flows ({@code flow} of the port) share one flow-cache bucket. */
    private int[] portsInOneBucket(int n, IntFunction<FlowKey> flow) {
        Map<Integer, List<Integer>> byBucket = new HashMap<>();
        for (int port = 1024; port <= 0xffff; port++) {
            List<Integer> ports = byBucket.computeIfAbsent(maps.bucketOf(FlowHash.hash(flow.apply(port))),
                    b -> new ArrayList<>());
            ports.add(port);
            if (ports.size() == n) {
                return ports.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        throw new AssertionError("no bucket with " + n + " flows");
    }

    private static FlowKey flow4(int sourcePort) {
        return new FlowKey(ip(CLIENT4), ip(VIP4), sourcePort, HTTP, Protocol.TCP);
    }

    private static FlowKey flow6(int sourcePort) {
        return new FlowKey(ip(CLIENT6), ip(VIP6), sourcePort, HTTP, Protocol.TCP);
    }

    @Test
    void newFlowLandsInSlotOnePlusFlowHashModuloTableSize() {
        configure(MTU);
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        int firstId = 10;
        int[] table = new int[SMALL_TABLE];
        for (int slot = 0; slot < SMALL_TABLE; slot++) {
            table[slot] = firstId + slot;
            maps.putBackend(firstId + slot, BackendEntry.inUse(ip("10.3.0." + (slot + 1))));
        }
        maps.swapMaglevTable(VIP_TCP4, table);
        Set<Integer> slotsSeen = new HashSet<>();

        for (int port = 1000; port < 1040; port++) {
            TestRunResult result = rig.run(fromClient4().tcp(port, HTTP).build());

            int slot = Integer.remainderUnsigned(hash(CLIENT4, VIP4, port, HTTP, Protocol.TCP), SMALL_TABLE);
            slotsSeen.add(slot);
            assertThat(Frame.parse(result.data()).ipv4().dst()).as("port %d", port)
                    .isEqualTo(ip("10.3.0." + (slot + 1)));
            assertThat(maps.lookupFlow(new FlowKey(ip(CLIENT4), ip(VIP4), port, HTTP, Protocol.TCP)))
                    .contains(new FlowEntry(firstId + slot, VIP_TCP4));
        }
        assertThat(slotsSeen).hasSizeGreaterThan(3);
        assertThat(maps.vipTraffic(VIP_TCP4).newFlows()).isEqualTo(40);
    }

    @Test
    void outerSourceCarriesTheFlowHashInTheVariedBits() {
        standardSetup(ID_BACKEND4_A);
        maps.putVip(new VipKey(ip(VIP6), HTTP, Protocol.TCP), new VipMeta(VIP_TCP6, 0));
        maps.swapMaglevTable(VIP_TCP6, filled(SMALL_TABLE, ID_BACKEND6_A));
        Set<InetAddress> sources4 = new HashSet<>();
        Set<InetAddress> sources6 = new HashSet<>();

        for (int port = 2000; port < 2016; port++) {
            Ipv4Header outer4 = Frame.parse(rig.run(fromClient4().tcp(port, HTTP).build()).data()).ipv4();
            Ipv6Header outer6 = Frame.parse(rig.run(fromClient6().tcp(port, HTTP).build()).data()).ipv6();

            assertThat(outer4.src()).isEqualTo(ip(outerSource4(hash(CLIENT4, VIP4, port, HTTP, Protocol.TCP))));
            assertThat(outer6.src()).isEqualTo(ip(outerSource6(hash(CLIENT6, VIP6, port, HTTP, Protocol.TCP))));
            sources4.add(outer4.src());
            sources6.add(outer6.src());
        }
        assertThat(sources4).hasSizeGreaterThan(8);
        assertThat(sources6).hasSizeGreaterThan(8);
    }

    // --- not ours: passed untouched

    @Test
    void sameAddressOtherPortIsPassedUntouched() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().tcp(CLIENT_PORT, 22).build(), Reason.PASS_NOT_VIP);
    }

    @Test
    void otherAddressIsPassedUntouched() {
        standardSetup(ID_BACKEND4_A);
        byte[] input = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT4, "198.51.100.2")
                .tcp(CLIENT_PORT, HTTP).build();
        assertPassedUntouched(input, Reason.PASS_NOT_VIP);
    }

    @Test
    void otherProtocolOnTheVipPortIsPassedUntouched() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().udp(CLIENT_PORT, HTTP).build(), Reason.PASS_NOT_VIP);
    }

    @Test
    void arpIsPassedUntouched() {
        standardSetup(ID_BACKEND4_A);
        byte[] arp = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("ff:ff:ff:ff:ff:ff"))
                .arpRequest(CLIENT4, VIP4).build();
        assertPassedUntouched(arp, Reason.PASS_NOT_IP);
    }

    @Test
    void ipv6NeighborSolicitationIsPassedUntouched() {
        standardSetup(ID_BACKEND6_A);
        byte[] solicitation = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("33:33:ff:00:00:01"))
                .ipv6(CLIENT6, "ff02::1:ff00:1").ttl(255)
                .icmp(PacketBuilder.ICMPV6_NEIGHBOR_SOLICITATION, 0).payload(20).build();
        assertPassedUntouched(solicitation, Reason.PASS_NOT_VIP);
    }

    @Test
    void pingToTheVipIsPassedUntouched() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().icmp(PacketBuilder.ICMP_ECHO_REQUEST, 0).payload(8).build(),
                Reason.PASS_NOT_VIP);
    }

    @Test
    void ipv6HopByHopHeaderIsPassedUntouched() {
        standardSetup(ID_BACKEND6_A);
        byte[] hopByHop = {EtherType.PROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
        byte[] tcp = Arrays.copyOfRange(fromClient6().tcp(CLIENT_PORT, HTTP).build(),
                PacketBuilder.ETHERNET_HEADER + PacketBuilder.IPV6_HEADER, 74);
        byte[] payload = new byte[hopByHop.length + tcp.length];
        System.arraycopy(hopByHop, 0, payload, 0, hopByHop.length);
        System.arraycopy(tcp, 0, payload, hopByHop.length, tcp.length);
        byte[] input = fromClient6().rawPayload(EtherType.PROTO_IPV6_HOP_BY_HOP, payload).build();
        assertPassedUntouched(input, Reason.PASS_NOT_VIP);
    }

    // --- malformed input

    @Test
    void tcpHeaderCutShortToVipIsDropped() {
        standardSetup(ID_BACKEND4_A);
        byte[] full = fromClient4().tcp(CLIENT_PORT, HTTP).build();
        byte[] cut = Arrays.copyOf(full, PacketBuilder.ETHERNET_HEADER + PacketBuilder.IPV4_HEADER + 10);
        cut[PacketBuilder.ETHERNET_HEADER + 3] = (byte) (PacketBuilder.IPV4_HEADER + 10); // total length agrees
        assertDropped(cut, Reason.DROP_TRUNCATED);
    }

    @Test
    void tcpDataOffsetBelowFiveIsDropped() {
        standardSetup(ID_BACKEND4_A);
        assertDropped(fromClient4().tcp(CLIENT_PORT, HTTP).tcpDataOffset(4).payload(8).build(),
                Reason.DROP_TRUNCATED);
    }

    @Test
    void tcpDataOffsetBeyondThePacketIsDropped() {
        standardSetup(ID_BACKEND6_A);
        assertDropped(fromClient6().tcp(CLIENT_PORT, HTTP).tcpDataOffset(15).payload(8).build(),
                Reason.DROP_TRUNCATED);
    }

    @Test
    void ipv4TotalLengthBeyondTheFrameIsDropped() {
        standardSetup(ID_BACKEND4_A);
        assertDropped(fromClient4().udp(CLIENT_PORT, DNS).payload(10).ipLength(200).build(),
                Reason.DROP_TRUNCATED);
    }

    @Test
    void ipv4TotalLengthShorterThanItsHeadersIsDropped() {
        standardSetup(ID_BACKEND4_A);
        assertDropped(fromClient4().tcp(CLIENT_PORT, HTTP).ipLength(30).build(), Reason.DROP_TRUNCATED);
    }

    @Test
    void udpHeaderCutShortToVipIsDropped() {
        standardSetup(ID_BACKEND4_A);
        assertDropped(fromClient4().udp(CLIENT_PORT, DNS).ipLength(PacketBuilder.IPV4_HEADER + 6).build(),
                Reason.DROP_TRUNCATED);
    }

    @Test
    void ipv6PayloadLengthBeyondTheFrameIsDropped() {
        standardSetup(ID_BACKEND6_A);
        assertDropped(fromClient6().tcp(CLIENT_PORT, HTTP).ipLength(500).build(), Reason.DROP_TRUNCATED);
    }

    @Test
    void ipv4HeaderLengthBelowFiveIsLeftToTheHost() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().tcp(CLIENT_PORT, HTTP).ihl(4).build(), Reason.PASS_NOT_VIP);
    }

    @Test
    void frameCutInsideTheIpHeaderIsLeftToTheHost() {
        standardSetup(ID_BACKEND4_A);
        byte[] cut = Arrays.copyOf(fromClient4().tcp(CLIENT_PORT, HTTP).build(), PacketBuilder.ETHERNET_HEADER + 12);
        assertPassedUntouched(cut, Reason.PASS_NOT_VIP);
    }

    @Test
    void frameCutBeforeThePortsIsLeftToTheHost() {
        standardSetup(ID_BACKEND6_A);
        byte[] cut = Arrays.copyOf(fromClient6().tcp(CLIENT_PORT, HTTP).build(),
                PacketBuilder.ETHERNET_HEADER + PacketBuilder.IPV6_HEADER + 2);
        assertPassedUntouched(cut, Reason.PASS_NOT_VIP);
    }

    @Test
    void vlanTagCutOffIsNotIp() {
        standardSetup(ID_BACKEND4_A);
        byte[] tagged = fromClient4().vlan(5).tcp(CLIENT_PORT, HTTP).build();
        assertPassedUntouched(Arrays.copyOf(tagged, PacketBuilder.ETHERNET_HEADER), Reason.PASS_NOT_IP);
    }

    @Test
    void ipv4OptionsAreForwardedAndCounted() {
        standardSetup(ID_BACKEND4_A);
        byte[] routerAlert = {(byte) 0x94, 0x04, 0x00, 0x00};
        byte[] input = fromClient4().ipv4Options(routerAlert).tcp(CLIENT_PORT, HTTP).payload(12).build();

        TestRunResult result = rig.run(input);

        int hash = hash(CLIENT4, VIP4, CLIENT_PORT, HTTP, Protocol.TCP);
        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(encapsulated(input, hash, BACKEND4_A, 0));
        assertThat(count(Reason.IPV4_OPTIONS)).isEqualTo(1);
    }

    // --- fragments

    @Test
    void ipv4FirstFragmentToVipIsDropped() {
        standardSetup(ID_BACKEND4_A);
        assertDropped(fromClient4().fragment(true, 0).udp(CLIENT_PORT, DNS).payload(32).build(),
                Reason.DROP_FRAGMENT);
    }

    @Test
    void ipv6FragmentHeaderToVipIsDropped() {
        standardSetup(ID_BACKEND6_A);
        assertDropped(fromClient6().fragment(true, 0).udp(CLIENT_PORT, DNS).payload(32).build(),
                Reason.DROP_FRAGMENT);
    }

    @Test
    void laterFragmentsCarryNoPortsAndAreLeftToTheHost() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().fragment(false, 100).udp(CLIENT_PORT, DNS).payload(32).build(),
                Reason.PASS_NOT_VIP);
    }

    @Test
    void fragmentToAnotherPortIsPassed() {
        standardSetup(ID_BACKEND4_A);
        assertPassedUntouched(fromClient4().fragment(true, 0).udp(CLIENT_PORT, 5353).payload(32).build(),
                Reason.PASS_NOT_VIP);
    }

    // --- too big after encapsulation

    @Test
    void tooBigIpv4PacketIsAnsweredWithFragmentationNeeded() {
        standardSetup(ID_BACKEND4_A);
        byte[] routerAlert = {(byte) 0x94, 0x04, 0x00, 0x00};
        byte[] input = fromClient4().vlan(7).ipv4Options(routerAlert).dontFragment().tcp(CLIENT_PORT, HTTP)
                .payload(MTU - 24 - PacketBuilder.TCP_HEADER).build();

        TestRunResult result = rig.run(input);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        Frame out = Frame.parse(result.data());
        assertThat(out.dstMac()).isEqualTo(CLIENT_MAC);
        assertThat(out.srcMac()).isEqualTo(LB_MAC);
        assertThat(out.vlanId()).hasValue(7);
        Ipv4Header ipHeader = out.ipv4();
        assertThat(ipHeader.src()).isEqualTo(ip(VIP4));
        assertThat(ipHeader.dst()).isEqualTo(ip(CLIENT4));
        assertThat(ipHeader.protocol()).isEqualTo(EtherType.PROTO_ICMP);
        assertThat(ipHeader.checksumValid()).isTrue();
        assertThat(ipHeader.totalLength()).isEqualTo(20 + 8 + 24 + 8);
        assertThat(result.data()).hasSize(18 + ipHeader.totalLength());
        IcmpMessage icmp = IcmpMessage.parseV4(result.data(), ipHeader);
        assertThat(icmp.type()).isEqualTo(3);
        assertThat(icmp.code()).isEqualTo(4);
        assertThat(icmp.rest()).isEqualTo(MTU - PacketBuilder.IPV4_HEADER);
        assertThat(icmp.checksumValid()).isTrue();
        byte[] quoted = Arrays.copyOfRange(input, 18, 18 + 24 + 8);
        assertThat(icmp.body()).isEqualTo(quoted);
        assertThat(count(Reason.TX_ICMP_TOO_BIG)).isEqualTo(1);
        assertThat(count(Reason.TX_FORWARDED)).isZero();
    }

    @Test
    void largestIpv4PacketThatFitsIsForwarded() {
        standardSetup(ID_BACKEND4_A);
        byte[] input = fromClient4().tcp(CLIENT_PORT, HTTP)
                .payload(MTU - PacketBuilder.IPV4_HEADER - PacketBuilder.IPV4_HEADER - PacketBuilder.TCP_HEADER)
                .build();

        TestRunResult result = rig.run(input);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(Frame.parse(result.data()).ipv4().totalLength()).isEqualTo(MTU);
    }

    @Test
    void tooBigIpv6PacketIsAnsweredWithPacketTooBig() {
        standardSetup(ID_BACKEND6_A);
        byte[] input = fromClient6().tcp(CLIENT_PORT, HTTP).payload(1440 - PacketBuilder.TCP_HEADER).build();

        TestRunResult result = rig.run(input);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        Frame out = Frame.parse(result.data());
        assertThat(out.dstMac()).isEqualTo(CLIENT_MAC);
        assertThat(out.srcMac()).isEqualTo(LB_MAC);
        Ipv6Header ipHeader = out.ipv6();
        assertThat(ipHeader.src()).isEqualTo(ip(VIP6));
        assertThat(ipHeader.dst()).isEqualTo(ip(CLIENT6));
        assertThat(ipHeader.nextHeader()).isEqualTo(EtherType.PROTO_ICMPV6);
        assertThat(PacketBuilder.IPV6_HEADER + ipHeader.payloadLength()).isEqualTo(IPV6_MIN_MTU);
        assertThat(result.data()).hasSize(PacketBuilder.ETHERNET_HEADER + IPV6_MIN_MTU);
        IcmpMessage icmp = IcmpMessage.parseV6(result.data(), ipHeader);
        assertThat(icmp.type()).isEqualTo(2);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.rest()).isEqualTo(MTU - PacketBuilder.IPV6_HEADER);
        assertThat(icmp.checksumValid()).isTrue();
        byte[] quoted = Arrays.copyOfRange(input, 14, 14 + IPV6_MIN_MTU - 48);
        assertThat(icmp.body()).isEqualTo(quoted);
        assertThat(count(Reason.TX_ICMP_TOO_BIG)).isEqualTo(1);
    }

    @Test
    void packetTooBigNeverAdvertisesLessThanTheIpv6MinimumMtu() {
        standardSetup(ID_BACKEND6_A);
        configure(1200);
        byte[] input = fromClient6().udp(CLIENT_PORT, DNS).payload(1153).build();

        TestRunResult result = rig.run(input);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        Ipv6Header ipHeader = Frame.parse(result.data()).ipv6();
        IcmpMessage icmp = IcmpMessage.parseV6(result.data(), ipHeader);
        assertThat(icmp.rest()).isEqualTo(IPV6_MIN_MTU);
        assertThat(icmp.checksumValid()).isTrue();
        // The offending packet (1201 bytes) is quoted whole: odd length, checksum still valid.
        assertThat(icmp.body()).isEqualTo(Frame.parse(input).l3Bytes());
    }

    @Test
    void ipv4ClientOfAnIpv6BackendGetsTheIpv6Overhead() {
        standardSetup(ID_BACKEND6_A);
        byte[] input = fromClient4().tcp(CLIENT_PORT, HTTP).payload(MTU - 40 - 20 + 1).build();

        TestRunResult result = rig.run(input);

        Ipv4Header ipHeader = Frame.parse(result.data()).ipv4();
        IcmpMessage icmp = IcmpMessage.parseV4(result.data(), ipHeader);
        assertThat(icmp.rest()).isEqualTo(MTU - PacketBuilder.IPV6_HEADER);
        assertThat(icmp.checksumValid()).isTrue();
    }

    // --- missing configuration and tables

    @Test
    void vipWithoutConfigIsDropped() {
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        maps.putBackend(ID_BACKEND4_A, BackendEntry.inUse(ip(BACKEND4_A)));
        maps.swapMaglevTable(VIP_TCP4, filled(SMALL_TABLE, ID_BACKEND4_A));
        assertDropped(fromClient4().tcp(CLIENT_PORT, HTTP).build(), Reason.DROP_NO_CONFIG);
    }

    @Test
    void vipWithoutTableIsDropped() {
        configure(MTU);
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        assertDropped(fromClient4().tcp(CLIENT_PORT, HTTP).build(), Reason.DROP_NO_BACKEND);
        assertThat(maps.lookupFlow(new FlowKey(ip(CLIENT4), ip(VIP4), CLIENT_PORT, HTTP, Protocol.TCP))).isEmpty();
    }

    @Test
    void tableSlotPointingAtAnUnusedBackendIsDropped() {
        standardSetup(ID_UNUSED);
        assertDropped(fromClient4().tcp(CLIENT_PORT, HTTP).build(), Reason.DROP_BAD_BACKEND);
        assertThat(maps.vipTraffic(VIP_TCP4)).isEqualTo(TrafficCounter.ZERO);
    }

    @Test
    void countersOfUntouchedPathsStayZero() {
        standardSetup(ID_BACKEND4_A);
        rig.run(fromClient4().tcp(CLIENT_PORT, HTTP).build());

        Map<Reason, Long> reasons = maps.reasonCounts();
        IntStream.range(0, Reason.COUNT).mapToObj(i -> Reason.values()[i])
                .filter(r -> r != Reason.TX_FORWARDED && r != Reason.FLOW_MISS)
                .forEach(r -> assertThat(reasons.get(r)).as(r.name()).isZero());
    }
}
