package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.TCP_FLAG_ACK;
import static io.sluice.testing.packet.PacketBuilder.TCP_FLAG_SYN;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.EtherType;
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.IpLayer;
import io.sluice.testing.packet.PacketBuilder;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Second chance at packet level (root only): the balancer wraps a packet of a bucket whose previous
 * owner drains twice (current owner outside, previous owner inside), keeps the pair in the flow cache,
 * and the current owner's decap keeps the flows that are its own (a socket in this test's network
 * namespace, or a SYN) and sends every other one on to the previous owner.
 */
class SecondChancePacketTest {
    private static final int VIP_ID = 1;
    private static final int CURRENT = 1;
    private static final int PREVIOUS = 2;
    private static final int MTU = 1500;
    private static final int TABLE_SIZE = 7;
    private static final int PORT = 443;
    private static final String CLIENT4 = "192.0.2.10";
    private static final String CLIENT6 = "2001:db8::10";
    /** Lets the loopback FIN exchange finish, so the server's socket is in TIME_WAIT. */
    private static final long TIME_WAIT_SETTLE_MS = 200;

    private BalancerRig balancer;
    private BalancerRig decap;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        balancer = BalancerRig.balancer();
        decap = BalancerRig.decap();
    }

    @AfterEach
    void close() {
        if (decap != null) {
            decap.close();
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    /** Every slot owned by CURRENT; with a previous owner PREVIOUS if `draining`. */
    private void route(InetAddress vip, int port, Protocol protocol, String current, String previous, boolean draining) {
        DataplaneMaps maps = balancer.maps();
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(vip, port, protocol), new VipMeta(VIP_ID, 0));
        maps.putBackend(CURRENT, BackendEntry.inUse(ip(current)));
        maps.putBackend(PREVIOUS, BackendEntry.inUse(ip(previous)));
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, draining ? PackedSlot.of(CURRENT, PREVIOUS) : PackedSlot.of(CURRENT));
        maps.swapMaglevTable(VIP_ID, table);
    }

    private long reason(Reason r) {
        return balancer.counter(DataplaneAbi.MAP_REASONS, r.value());
    }

    private long decapCount(DecapReason r) {
        return decap.counter(DataplaneAbi.MAP_DECAP_STATS, r.value());
    }

    private static byte[] clientPacket(String vip, int sport, int dport, int flags) {
        PacketBuilder b = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC);
        b = ip(vip) instanceof Inet6Address ? b.ipv6(CLIENT6, vip) : b.ipv4(CLIENT4, vip);
        return b.tcp(sport, dport).tcpFlags(flags).payload(33).build();
    }

    @ParameterizedTest(name = "vip {0}: current {1}, previous {2}")
    @CsvSource({
        "198.51.100.1,    10.2.0.1, 10.2.0.2",
        "2001:db8:100::1, fd02::1,  fd02::2",
        "198.51.100.1,    fd02::1,  10.2.0.2",
        "2001:db8:100::1, 10.2.0.1, fd02::2",
    })
    void bucketWithADrainingPreviousOwnerIsWrappedForBothOwnersCurrentOutside(String vip, String current,
                                                                               String previous) {
        route(ip(vip), PORT, Protocol.TCP, current, previous, true);
        byte[] original = clientPacket(vip, 40000, PORT, TCP_FLAG_ACK);

        TestRunResult out = balancer.run(original);

        assertThat(out.action()).isEqualTo(XdpAction.TX);
        Frame frame = Frame.parse(out.data());
        assertThat(frame.dstMac()).isEqualTo(GATEWAY_MAC);
        assertThat(frame.srcMac()).isEqualTo(LB_MAC);
        IpLayer outer = IpLayer.at(out.data(), frame.l3Offset());
        assertThat(outer.dst()).isEqualTo(ip(current));
        assertThat(outer.protocol()).isEqualTo(ip(previous) instanceof Inet6Address ? EtherType.PROTO_IPV6
                : EtherType.PROTO_IPIP);
        IpLayer middle = IpLayer.at(out.data(), outer.payloadOffset());
        assertThat(middle.dst()).isEqualTo(ip(previous));
        byte[] inner = Arrays.copyOfRange(out.data(), middle.payloadOffset(), out.data().length);
        byte[] originalIp = Frame.parse(original).l3Bytes();
        assertThat(inner).isEqualTo(originalIp);
        assertThat(reason(Reason.TX_SECOND_CHANCE)).isEqualTo(1);
        assertThat(balancer.maps().backendTraffic(CURRENT).packets()).isEqualTo(1);
    }

    @Test
    void flowCacheKeepsThePairSoLaterPacketsStillNameThePreviousOwner() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
        balancer.run(clientPacket("198.51.100.1", 40001, PORT, TCP_FLAG_ACK));
        // The table loses the previous owner; the cached flow still carries the pair.
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, PackedSlot.of(CURRENT));
        balancer.maps().swapMaglevTable(VIP_ID, table);

        TestRunResult out = balancer.run(clientPacket("198.51.100.1", 40001, PORT, TCP_FLAG_ACK));

        assertThat(reason(Reason.FLOW_HIT)).isEqualTo(1);
        assertThat(reason(Reason.TX_SECOND_CHANCE)).isEqualTo(2);
        Frame frame = Frame.parse(out.data());
        IpLayer outer = IpLayer.at(out.data(), frame.l3Offset());
        assertThat(IpLayer.at(out.data(), outer.payloadOffset()).dst()).isEqualTo(ip("10.2.0.2"));
        FlowEntry cached = balancer.maps().lookupFlow(clientFlow(40001)).orElseThrow();
        assertThat(PackedSlot.owner(cached.backendId())).isEqualTo(CURRENT);
        assertThat(PackedSlot.previousOwner(cached.backendId())).isEqualTo(PREVIOUS);
    }

    @Test
    void previousOwnerOutOfServiceMeansOneLayerOnly() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
        balancer.maps().clearBackend(PREVIOUS);

        TestRunResult out = balancer.run(clientPacket("198.51.100.1", 40002, PORT, TCP_FLAG_ACK));

        assertThat(out.action()).isEqualTo(XdpAction.TX);
        Frame frame = Frame.parse(out.data());
        IpLayer outer = IpLayer.at(out.data(), frame.l3Offset());
        assertThat(outer.dst()).isEqualTo(ip("10.2.0.1"));
        assertThat(outer.protocol()).isEqualTo(EtherType.PROTO_IPIP);
        assertThat(IpLayer.at(out.data(), outer.payloadOffset()).dst()).isEqualTo(ip("198.51.100.1"));
        assertThat(reason(Reason.TX_SECOND_CHANCE)).isZero();
    }

    @Test
    void tooBigOnceWrappedTwiceIsAnsweredWithIcmp() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
        // 1470 bytes fits one layer (1490 <= 1500), not two (1510).
        byte[] big = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT4, "198.51.100.1").dontFragment()
                .tcp(40003, PORT).tcpFlags(TCP_FLAG_ACK).payload(1470 - 40).build();

        TestRunResult out = balancer.run(big);

        assertThat(out.action()).isEqualTo(XdpAction.TX);
        assertThat(reason(Reason.TX_ICMP_TOO_BIG)).isEqualTo(1);
        assertThat(reason(Reason.TX_SECOND_CHANCE)).isZero();
    }

    private static FlowKey clientFlow(int sport) {
        return new FlowKey(ip(CLIENT4), ip("198.51.100.1"), sport, PORT, Protocol.TCP);
    }

    /** The packet the previous owner must receive: one layer to it, MACs back towards the fabric. */
    private byte[] expectedForward(byte[] original) {
        // What the balancer sends when the table names only the previous owner (same flow hash).
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, PackedSlot.of(PREVIOUS));
        balancer.maps().flushFlows();
        balancer.maps().swapMaglevTable(VIP_ID, table);
        byte[] single = balancer.run(original).data().clone();
        System.arraycopy(LB_MAC, 0, single, 0, LB_MAC.length);
        System.arraycopy(GATEWAY_MAC, 0, single, LB_MAC.length, GATEWAY_MAC.length);
        return single;
    }

    private static byte[] expectedLocal(byte[] original, int etherType) {
        byte[] expected = original.clone();
        System.arraycopy(GATEWAY_MAC, 0, expected, 0, GATEWAY_MAC.length);
        System.arraycopy(LB_MAC, 0, expected, GATEWAY_MAC.length, LB_MAC.length);
        int l3 = Frame.parse(original).l3Offset();
        expected[l3 - 2] = (byte) (etherType >>> 8);
        expected[l3 - 1] = (byte) etherType;
        return expected;
    }

    @ParameterizedTest(name = "current {0}, previous {1}")
    @CsvSource({
        "10.2.0.1, 10.2.0.2",
        "fd02::1,  10.2.0.2",
        "10.2.0.1, fd02::2",
    })
    void decapSendsAFlowWithoutALocalSocketOnToThePreviousOwner(String current, String previous) {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, current, previous, true);
        byte[] original = clientPacket("198.51.100.1", 40010, PORT, TCP_FLAG_ACK);
        byte[] twice = balancer.run(original).data();

        TestRunResult result = decap.run(twice);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(result.data()).isEqualTo(expectedForward(original));
        assertThat(decapCount(DecapReason.SECOND_CHANCE_FORWARD)).isEqualTo(1);
        assertThat(decapCount(DecapReason.SECOND_CHANCE_LOCAL)).isZero();
    }

    @Test
    void theForwardedPacketDecapsulatesNormallyAtThePreviousOwner() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
        byte[] original = clientPacket("198.51.100.1", 40011, PORT, TCP_FLAG_ACK);
        byte[] forwarded = decap.run(balancer.run(original).data()).data();

        TestRunResult atPrevious = decap.run(forwarded);

        assertThat(atPrevious.action()).isEqualTo(XdpAction.PASS);
        assertThat(Frame.parse(atPrevious.data()).l3Bytes()).isEqualTo(Frame.parse(original).l3Bytes());
        assertThat(decapCount(DecapReason.DONE)).isEqualTo(1);
    }

    /** A client packet wrapped by hand for both owners (what the balancer sends mid-flow). */
    private static byte[] wrappedTwice(byte[] clientFrame, String current, String previous) {
        byte[] inner = Frame.parse(clientFrame).l3Bytes();
        boolean innerV6 = (inner[0] & 0xff) >>> 4 == 6;
        PacketBuilder middle = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC);
        middle = ip(previous) instanceof Inet6Address ? middle.ipv6("fd00::1", previous) : middle.ipv4("10.0.0.1", previous);
        byte[] middleIp = middle.rawPayload(innerV6 ? EtherType.PROTO_IPV6 : EtherType.PROTO_IPIP, inner).buildIpPacket();
        PacketBuilder outer = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC);
        outer = ip(current) instanceof Inet6Address ? outer.ipv6("fd00::1", current) : outer.ipv4("10.0.0.1", current);
        return outer.rawPayload(ip(previous) instanceof Inet6Address ? EtherType.PROTO_IPV6 : EtherType.PROTO_IPIP,
                middleIp).build();
    }

    @ParameterizedTest(name = "vip {0}")
    @CsvSource({"198.51.100.1", "2001:db8:100::1"})
    void decapKeepsASynItIsHandedWithBothOwners(String vip) {
        byte[] syn = clientPacket(vip, 40020, PORT, TCP_FLAG_SYN);

        TestRunResult result = decap.run(wrappedTwice(syn, "10.2.0.1", "10.2.0.2"));

        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        assertThat(Frame.parse(result.data()).l3Bytes()).isEqualTo(Frame.parse(syn).l3Bytes());
        assertThat(decapCount(DecapReason.SECOND_CHANCE_LOCAL)).isEqualTo(1);
    }

    @ParameterizedTest(name = "vip {0}")
    @CsvSource({"198.51.100.1", "2001:db8:100::1"})
    void aSynGoesToTheCurrentOwnerAloneAndItsFlowIsRememberedWithoutThePair(String vip) {
        route(ip(vip), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
        byte[] syn = clientPacket(vip, 40021, PORT, TCP_FLAG_SYN);

        TestRunResult out = balancer.run(syn);
        TestRunResult ack = balancer.run(clientPacket(vip, 40021, PORT, TCP_FLAG_ACK));

        for (TestRunResult r : List.of(out, ack)) {
            IpLayer outer = IpLayer.at(r.data(), Frame.parse(r.data()).l3Offset());
            assertThat(outer.dst()).isEqualTo(ip("10.2.0.1"));
            assertThat(IpLayer.at(r.data(), outer.payloadOffset()).dst()).isEqualTo(ip(vip));
        }
        assertThat(reason(Reason.TX_SECOND_CHANCE)).isZero();
        assertThat(reason(Reason.FLOW_HIT)).isEqualTo(1);
        assertThat(balancer.maps().backendTraffic(PREVIOUS).secondChance()).isZero();
        assertThat(decap.run(out.data()).action()).isEqualTo(XdpAction.PASS);
        assertThat(decapCount(DecapReason.DONE)).isEqualTo(1);
    }

    @Test
    void aSynFollowsTheTableNeverARememberedEntryWhileTheFlowsOtherPacketsStay() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", false);
        // Remember two flows on PREVIOUS (it owns the table), then PREVIOUS drains.
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, PackedSlot.of(PREVIOUS));
        balancer.maps().swapMaglevTable(VIP_ID, table);
        balancer.run(clientPacket("198.51.100.1", 40030, PORT, TCP_FLAG_ACK));
        balancer.run(clientPacket("198.51.100.1", 40031, PORT, TCP_FLAG_ACK));
        Arrays.fill(table, PackedSlot.of(CURRENT, PREVIOUS));
        balancer.maps().swapMaglevTable(VIP_ID, table);

        TestRunResult established = balancer.run(clientPacket("198.51.100.1", 40030, PORT, TCP_FLAG_ACK));
        TestRunResult reused = balancer.run(clientPacket("198.51.100.1", 40031, PORT, TCP_FLAG_SYN));

        assertThat(IpLayer.at(established.data(), Frame.parse(established.data()).l3Offset()).dst())
                .isEqualTo(ip("10.2.0.2"));
        IpLayer outer = IpLayer.at(reused.data(), Frame.parse(reused.data()).l3Offset());
        assertThat(outer.dst()).isEqualTo(ip("10.2.0.1"));
        assertThat(IpLayer.at(reused.data(), outer.payloadOffset()).dst()).isEqualTo(ip("198.51.100.1"));
        assertThat(balancer.maps().lookupFlow(clientFlow(40031)).orElseThrow().backendId()).isEqualTo(CURRENT);
    }

    @Test
    void midFlowPacketsNamingThePreviousOwnerCountAsItsDrainActivity() {
        route(ip("198.51.100.1"), PORT, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);

        for (int i = 0; i < 3; i++) {
            balancer.run(clientPacket("198.51.100.1", 40022, PORT, TCP_FLAG_ACK));
        }

        assertThat(balancer.maps().backendTraffic(PREVIOUS).secondChance()).isEqualTo(3);
        assertThat(balancer.maps().backendTraffic(PREVIOUS).packets()).isZero();
        assertThat(balancer.maps().backendTraffic(CURRENT).packets()).isEqualTo(3);
    }

    @Test
    void anEstablishedLocalSocketKeepsTheFlowAndAListenerAloneDoesNot() throws IOException {
        InetAddress loopback = ip("127.0.0.1");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, 0));
            int port = server.getLocalPort();
            route(loopback, port, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
            try (Socket client = new Socket(loopback, port); Socket accepted = server.accept()) {
                byte[] established = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("127.0.0.1", "127.0.0.1")
                        .tcp(client.getLocalPort(), port).tcpFlags(TCP_FLAG_ACK).payload(10).build();
                byte[] stranger = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("127.0.0.1", "127.0.0.1")
                        .tcp(freePort(), port).tcpFlags(TCP_FLAG_ACK).payload(10).build();

                TestRunResult ours = decap.run(balancer.run(established).data());
                TestRunResult notOurs = decap.run(balancer.run(stranger).data());

                assertThat(ours.action()).isEqualTo(XdpAction.PASS);
                assertThat(ours.data()).isEqualTo(expectedLocal(established, EtherType.IPV4));
                assertThat(notOurs.action()).isEqualTo(XdpAction.TX);
                assertThat(IpLayer.at(notOurs.data(), Frame.parse(notOurs.data()).l3Offset()).dst())
                        .isEqualTo(ip("10.2.0.2"));
                assertThat(decapCount(DecapReason.SECOND_CHANCE_LOCAL)).isEqualTo(1);
                assertThat(decapCount(DecapReason.SECOND_CHANCE_FORWARD)).isEqualTo(1);
            }
        }
    }

    @Test
    void aTimeWaitSocketIsNotAClaimOnTheFlow() throws Exception {
        InetAddress loopback = ip("127.0.0.1");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, 0));
            int port = server.getLocalPort();
            route(loopback, port, Protocol.TCP, "10.2.0.1", "10.2.0.2", true);
            int clientPort;
            try (Socket client = new Socket(loopback, port); Socket accepted = server.accept()) {
                clientPort = client.getLocalPort();
                accepted.close();   // the server closes first: its side ends in TIME_WAIT
                client.getInputStream().read();
            }
            Thread.sleep(TIME_WAIT_SETTLE_MS);
            byte[] late = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("127.0.0.1", "127.0.0.1")
                    .tcp(clientPort, port).tcpFlags(TCP_FLAG_ACK).payload(10).build();

            TestRunResult result = decap.run(balancer.run(late).data());

            assertThat(result.action()).isEqualTo(XdpAction.TX);
            assertThat(decapCount(DecapReason.SECOND_CHANCE_FORWARD)).isEqualTo(1);
        }
    }

    @Test
    void udpIsKeptWhereverALocalSocketWouldReceiveIt() throws IOException {
        InetAddress loopback = ip("127.0.0.1");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            int bound = socket.getLocalPort();
            int unbound = freePort();
            route(loopback, bound, Protocol.UDP, "10.2.0.1", "10.2.0.2", true);
            balancer.maps().putVip(new VipKey(loopback, unbound, Protocol.UDP), new VipMeta(VIP_ID, 0));
            byte[] toSocket = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("127.0.0.1", "127.0.0.1")
                    .udp(50000, bound).payload(8).build();
            byte[] toNobody = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("127.0.0.1", "127.0.0.1")
                    .udp(50000, unbound).payload(8).build();

            assertThat(decap.run(balancer.run(toSocket).data()).action()).isEqualTo(XdpAction.PASS);
            assertThat(decap.run(balancer.run(toNobody).data()).action()).isEqualTo(XdpAction.TX);
            assertThat(decapCount(DecapReason.SECOND_CHANCE_LOCAL)).isEqualTo(1);
            assertThat(decapCount(DecapReason.SECOND_CHANCE_FORWARD)).isEqualTo(1);
        }
    }

    @Test
    void secondLayerCutShortIsDropped() {
        byte[] inner = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT4, "198.51.100.1").tcp(40000, PORT)
                .buildIpPacket();
        byte[] middle = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("10.0.0.1", "10.2.0.2")
                .rawPayload(EtherType.PROTO_IPIP, inner).ipLength(20 + inner.length + 50).buildIpPacket();
        byte[] tunnel = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC).ipv4("10.0.0.1", "10.2.0.1")
                .rawPayload(EtherType.PROTO_IPIP, middle).build();

        TestRunResult result = decap.run(tunnel);

        assertThat(result.action()).isEqualTo(XdpAction.DROP);
        assertThat(decapCount(DecapReason.DROP_TRUNCATED)).isEqualTo(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
