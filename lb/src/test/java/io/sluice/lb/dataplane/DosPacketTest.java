package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.CoarseClock;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.dos.Deny24;
import io.sluice.lb.dos.Prefilter;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.EtherType;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DoS stage of the balancer, packet in, verdict out, through BPF_PROG_TEST_RUN (root only). */
class DosPacketTest {
    private static final String CLIENT4 = "192.0.2.10";
    private static final String NEIGHBOUR4 = "192.0.2.200";
    private static final String OTHER4 = "203.0.113.7";
    private static final String CLIENT6 = "2001:db8:1:2::10";
    private static final String SAME_SLASH64 = "2001:db8:1:2::99";
    private static final String OTHER6 = "2001:db8:9::7";
    private static final String VIP4 = "198.51.100.1";
    private static final String VIP6 = "2001:db8:100::1";
    private static final String NOT_A_VIP4 = "198.51.100.99";
    private static final int HTTP = 80;
    private static final int DNS = 53;
    private static final int CLIENT_PORT = 40000;
    private static final int NTP = 123;
    private static final int MEMCACHED = 11211;
    private static final int VIP_TCP4 = 1;
    private static final int VIP_UDP4 = 2;
    private static final int VIP_TCP6 = 3;
    private static final int VIP_UDP6 = 4;
    /** A VIP without a Maglev table: it drops what the DoS stage lets through, leaving the frame as it was. */
    private static final int VIP_NO_TABLE = 5;
    private static final int NO_TABLE_PORT = 8080;
    private static final int BACKEND = 1;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_URG = 0x20;
    private static final int ALL_SANITY = DosAbi.DOS_F_TCP_FLAGS | DosAbi.DOS_F_REFLECTION;
    private static final long ONE_SECOND_NS = 1_000_000_000L;
    /** enum bpf_func_id (uapi/linux/bpf.h). */
    private static final int HELPER_KTIME_GET_NS = 5;
    private static final int HELPER_KTIME_GET_COARSE_NS = 160;
    private static final int ICMPV6_ECHO_REQUEST = 128;
    private static final int PROTO_GRE = 47;
    private static final int PROTO_ESP = 50;
    private static final String LINK_LOCAL6 = "fe80::1";
    private static final String SOLICITED_NODE6 = "ff02::1:ff00:1";

    private BalancerRig rig;
    private DataplaneMaps maps;
    private DosMaps dos;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        rig = BalancerRig.balancer();
        maps = rig.maps();
        dos = DosMaps.of(rig.object());
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, 1500, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_TCP4, 0));
        maps.putVip(new VipKey(ip(VIP4), DNS, Protocol.UDP), new VipMeta(VIP_UDP4, 0));
        maps.putVip(new VipKey(ip(VIP6), HTTP, Protocol.TCP), new VipMeta(VIP_TCP6, 0));
        maps.putVip(new VipKey(ip(VIP6), DNS, Protocol.UDP), new VipMeta(VIP_UDP6, 0));
        maps.putBackend(BACKEND, BackendEntry.inUse(ip("10.2.0.1")));
        for (int vip : new int[] {VIP_TCP4, VIP_UDP4, VIP_TCP6, VIP_UDP6}) {
            int[] table = new int[7];
            Arrays.fill(table, BACKEND);
            maps.swapMaglevTable(vip, table);
        }
    }

    @AfterEach
    void close() {
        if (dos != null) {
            dos.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    // --- helpers

    private static PacketBuilder from(String source, String vip) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(source, vip);
    }

    private static PacketBuilder from6(String source) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6(source, VIP6);
    }

    private static byte[] syn4(String source) {
        return from(source, VIP4).tcp(CLIENT_PORT, HTTP).build();
    }

    private static byte[] syn6(String source) {
        return from6(source).tcp(CLIENT_PORT, HTTP).build();
    }

    private XdpAction run(byte[] frame) {
        return rig.run(frame).action();
    }

    private long count(Reason reason) {
        return maps.reasonCounts().get(reason);
    }

    private static LpmPrefix prefix(String text) {
        int slash = text.indexOf('/');
        return new LpmPrefix(ip(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
    }

    /** Writes the lists as the daemon does: entries, IPv4 pre-filter bits, counts in dos_config. */
    private void lists(List<String> allow, Map<String, Integer> deny, int flags, DosRate packets, DosRate flows) {
        List<LpmPrefix> allowPrefixes = allow.stream().map(DosPacketTest::prefix).toList();
        allowPrefixes.forEach(dos::putAllow);
        deny.forEach((p, id) -> dos.putDeny(prefix(p), id));
        List<LpmPrefix> denyPrefixes = deny.keySet().stream().map(DosPacketTest::prefix).toList();
        dos.writeAllowPrefilter(Prefilter.of(allowPrefixes));
        Map<LpmPrefix, Integer> ids = new java.util.HashMap<>();
        deny.forEach((p, id) -> ids.put(prefix(p), id));
        Deny24.writeFresh(dos, ids);
        int allow4 = (int) allowPrefixes.stream().filter(LpmPrefix::isIpv4).count();
        int deny4 = (int) denyPrefixes.stream().filter(LpmPrefix::isIpv4).count();
        dos.writeConfig(new DosConfigEntry(flags, allow4, allowPrefixes.size() - allow4, deny4,
                denyPrefixes.size() - deny4, packets, flows));
    }

    private void config(int flags, DosRate packets, DosRate flows) {
        lists(List.of(), Map.of(), flags, packets, flows);
    }

    // --- deny and allow lists

    @Test
    void denyListedIpv4SourceIsDroppedAndCountedOnItsEntry() {
        lists(List.of(), Map.of("192.0.2.0/24", 5), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.DROP);
        assertThat(run(from(CLIENT4, NOT_A_VIP4).udp(CLIENT_PORT, DNS).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(syn4(OTHER4))).isEqualTo(XdpAction.TX);

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(2);
        assertThat(dos.denyHits(5)).isEqualTo(2);
        assertThat(count(Reason.TX_FORWARDED)).isEqualTo(1);
    }

    @Test
    void denyListedIpv6SourceIsDroppedAndCountedOnItsEntry() {
        lists(List.of(), Map.of("2001:db8:1::/48", 7), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(syn6(CLIENT6))).isEqualTo(XdpAction.DROP);
        assertThat(run(syn6(OTHER6))).isEqualTo(XdpAction.TX);

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(1);
        assertThat(dos.denyHits(7)).isEqualTo(1);
    }

    @Test
    void longestPrefixDecidesWhichEntryCountsTheHit() {
        lists(List.of(), Map.of("192.0.2.0/24", 1, "192.0.2.128/25", 2, "2001:db8::/32", 3,
                "2001:db8:1:2::/64", 4), 0, DosRate.NONE, DosRate.NONE);

        run(syn4(NEIGHBOUR4));
        run(syn4(CLIENT4));
        run(syn4(CLIENT4));
        run(syn6(CLIENT6));
        run(syn6(OTHER6));

        assertThat(dos.denyHits(1)).isEqualTo(2);
        assertThat(dos.denyHits(2)).isEqualTo(1);
        assertThat(dos.denyHits(3)).isEqualTo(1);
        assertThat(dos.denyHits(4)).isEqualTo(1);
        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(5);
    }

    @Test
    void allowListWinsOverTheDenyListInBothFamilies() {
        lists(List.of("192.0.2.10/32", "2001:db8:1:2::/64"), Map.of("192.0.2.0/24", 1, "2001:db8::/32", 2),
                0, DosRate.NONE, DosRate.NONE);

        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.TX);
        assertThat(run(syn6(CLIENT6))).isEqualTo(XdpAction.TX);
        assertThat(run(syn4(NEIGHBOUR4))).isEqualTo(XdpAction.DROP);
        assertThat(run(syn6(OTHER6))).isEqualTo(XdpAction.DROP);

        assertThat(count(Reason.DOS_ALLOWED)).isEqualTo(2);
        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(2);
    }

    @Test
    void ipv4DenyListIsAnsweredByTheSlash24ArrayAndTheTrieOnlyWhereItSaysSo() {
        // The contract with the daemon: the /24 array decides; the trie is asked only where it says LPM.
        dos.putDeny(prefix("192.0.2.0/24"), 1);
        dos.writeConfig(new DosConfigEntry(0, 0, 0, 1, 0, DosRate.NONE, DosRate.NONE));
        assertThat(run(syn4(CLIENT4))).as("array entry still 0").isEqualTo(XdpAction.TX);

        int slash24 = 192 << 16 | 2;
        dos.writeDeny24(new int[] {slash24}, new int[] {1 + 1}, 1);
        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.DROP);
        assertThat(dos.denyHits(1)).isEqualTo(1);

        dos.writeDeny24(new int[] {slash24}, new int[] {DosAbi.DOS_DENY24_LPM}, 1);
        dos.deleteDeny(prefix("192.0.2.0/24"));
        assertThat(run(syn4(CLIENT4))).as("the trie decides: no entry").isEqualTo(XdpAction.TX);
    }

    @Test
    void shortDenyPrefixCoversEveryAddressUnderIt() {
        lists(List.of(), Map.of("192.0.0.0/8", 9), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.DROP);
        assertThat(run(syn4("192.255.1.1"))).isEqualTo(XdpAction.DROP);
        assertThat(run(syn4("193.0.0.1"))).isEqualTo(XdpAction.TX);
        assertThat(dos.denyHits(9)).isEqualTo(2);
    }

    // --- the lists for packets without ports (ICMP, GRE, ESP, later fragments): docs/dos.md

    private static byte[] echo4(String source, String destination) {
        return from(source, destination).icmp(PacketBuilder.ICMP_ECHO_REQUEST, 0).payload(56).build();
    }

    private static byte[] echo6(String source) {
        return from6(source).icmp(ICMPV6_ECHO_REQUEST, 0).payload(56).build();
    }

    private void assertPassedUntouched(byte[] frame) {
        TestRunResult result = rig.run(frame);
        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        assertThat(result.data()).isEqualTo(frame);
    }

    @Test
    void icmpEchoFromADenyListedIpv4PrefixIsDroppedAndCountedOnItsEntry() {
        lists(List.of(), Map.of("192.0.2.0/24", 5, "203.0.113.0/28", 6), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(echo4(CLIENT4, VIP4))).isEqualTo(XdpAction.DROP);
        assertThat(run(echo4(CLIENT4, NOT_A_VIP4))).as("any destination").isEqualTo(XdpAction.DROP);
        assertThat(run(echo4(OTHER4, VIP4))).as("a prefix longer than /24: the trie answers")
                .isEqualTo(XdpAction.DROP);

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(3);
        assertThat(dos.denyHits(5)).isEqualTo(2);
        assertThat(dos.denyHits(6)).isEqualTo(1);
        assertThat(count(Reason.PASS_NOT_VIP)).isZero();
    }

    @Test
    void icmpv6EchoFromADenyListedIpv6PrefixIsDropped() {
        lists(List.of(), Map.of("2001:db8:1::/48", 7), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(echo6(CLIENT6))).isEqualTo(XdpAction.DROP);
        assertPassedUntouched(echo6(OTHER6));

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(1);
        assertThat(dos.denyHits(7)).isEqualTo(1);
        assertThat(count(Reason.PASS_NOT_VIP)).isEqualTo(1);
    }

    @Test
    void icmpFromAnAllowListedSourceThatIsAlsoDeniedPasses() {
        lists(List.of("192.0.2.10/32", "2001:db8:1:2::/64"), Map.of("192.0.2.0/24", 1, "2001:db8::/32", 2),
                0, DosRate.NONE, DosRate.NONE);

        assertPassedUntouched(echo4(CLIENT4, VIP4));
        assertPassedUntouched(echo6(CLIENT6));
        assertThat(run(echo4(NEIGHBOUR4, VIP4))).isEqualTo(XdpAction.DROP);
        assertThat(run(echo6(OTHER6))).isEqualTo(XdpAction.DROP);

        assertThat(count(Reason.DOS_ALLOWED)).isEqualTo(2);
        assertThat(count(Reason.PASS_NOT_VIP)).isEqualTo(2);
        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(2);
        assertThat(dos.denyHits(1)).isEqualTo(1);
        assertThat(dos.denyHits(2)).isEqualTo(1);
    }

    @Test
    void icmpFromACleanSourcePassesUntouched() {
        lists(List.of(), Map.of("192.0.2.0/24", 1, "2001:db8:1::/48", 2), 0, DosRate.NONE, DosRate.NONE);

        assertPassedUntouched(echo4(OTHER4, VIP4));
        assertPassedUntouched(echo6(OTHER6));

        assertThat(count(Reason.PASS_NOT_VIP)).isEqualTo(2);
        assertThat(count(Reason.DROP_DENY_LIST)).isZero();
        assertThat(dos.denyHits(1)).isZero();
        assertThat(dos.denyHits(2)).isZero();
    }

    @Test
    void greEspAndOtherProtocolsFromADeniedSourceAreDropped() {
        lists(List.of(), Map.of("192.0.2.0/24", 1, "2001:db8:1::/48", 2), 0, DosRate.NONE, DosRate.NONE);
        byte[] body = new byte[24];

        assertThat(run(from(CLIENT4, VIP4).rawPayload(PROTO_GRE, body).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from(CLIENT4, VIP4).rawPayload(PROTO_ESP, body).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from6(CLIENT6).rawPayload(PROTO_GRE, body).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from6(CLIENT6).rawPayload(EtherType.PROTO_IPV6_HOP_BY_HOP, body).build()))
                .as("an IPv6 extension header the parser does not follow").isEqualTo(XdpAction.DROP);
        assertPassedUntouched(from(OTHER4, VIP4).rawPayload(PROTO_GRE, body).build());

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(4);
        assertThat(dos.denyHits(1)).isEqualTo(2);
        assertThat(dos.denyHits(2)).isEqualTo(2);
    }

    @Test
    void laterFragmentsAndTaggedFramesFromADeniedSourceAreDropped() {
        lists(List.of(), Map.of("192.0.2.0/24", 1, "2001:db8:1::/48", 2), 0, DosRate.NONE, DosRate.NONE);

        assertThat(run(from(CLIENT4, NOT_A_VIP4).fragment(false, 10).udp(CLIENT_PORT, DNS).payload(32).build()))
                .as("IPv4, offset 80: no ports").isEqualTo(XdpAction.DROP);
        assertThat(run(from6(CLIENT6).fragment(false, 10).udp(CLIENT_PORT, DNS).payload(32).build()))
                .as("IPv6, offset 80: no ports").isEqualTo(XdpAction.DROP);
        assertThat(run(PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).vlan(7).ipv4(CLIENT4, VIP4)
                .icmp(PacketBuilder.ICMP_ECHO_REQUEST, 0).payload(8).build()))
                .as("behind an 802.1Q tag").isEqualTo(XdpAction.DROP);

        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(3);
    }

    @Test
    void aTruncatedIpHeaderHasNoSourceToCheckAndPasses() {
        lists(List.of(), Map.of("192.0.2.0/24", 1), 0, DosRate.NONE, DosRate.NONE);
        byte[] echo = echo4(CLIENT4, VIP4);

        assertThat(run(Arrays.copyOf(echo, PacketBuilder.ETHERNET_HEADER + PacketBuilder.IPV4_HEADER)))
                .as("whole IP header, no ICMP header: the source is there").isEqualTo(XdpAction.DROP);
        assertPassedUntouched(Arrays.copyOf(echo, PacketBuilder.ETHERNET_HEADER + 10));
        assertThat(count(Reason.DROP_DENY_LIST)).isEqualTo(1);
    }

    @Test
    void nonIpFramesAreUntouchedEvenWhenTheirAddressesAreDenied() {
        lists(List.of(), Map.of("192.0.2.0/24", 1), 0, DosRate.NONE, DosRate.NONE);
        byte[] arp = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("ff:ff:ff:ff:ff:ff"))
                .arpRequest(CLIENT4, VIP4).build();

        assertPassedUntouched(arp);
        assertThat(count(Reason.PASS_NOT_IP)).isEqualTo(1);
        assertThat(count(Reason.DROP_DENY_LIST)).isZero();
        assertThat(dos.denyHits(1)).isZero();
    }

    @Test
    void linkLocalAndUnspecifiedIpv6SourcesAreExemptSoNeighbourDiscoveryKeepsWorking() {
        lists(List.of(), Map.of("fe80::/10", 1, "::/8", 2, "2001:db8:1::/48", 3), 0, DosRate.NONE, DosRate.NONE);
        byte[] solicitation = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("33:33:ff:00:00:01"))
                .ipv6(LINK_LOCAL6, SOLICITED_NODE6).ttl(255)
                .icmp(PacketBuilder.ICMPV6_NEIGHBOR_SOLICITATION, 0).payload(20).build();
        byte[] duplicateAddressDetection = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("33:33:ff:00:00:01"))
                .ipv6("::", SOLICITED_NODE6).ttl(255)
                .icmp(PacketBuilder.ICMPV6_NEIGHBOR_SOLICITATION, 0).payload(20).build();
        byte[] globalSolicitation = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("33:33:ff:00:00:01"))
                .ipv6(CLIENT6, SOLICITED_NODE6).ttl(255)
                .icmp(PacketBuilder.ICMPV6_NEIGHBOR_SOLICITATION, 0).payload(20).build();

        assertPassedUntouched(solicitation);
        assertPassedUntouched(duplicateAddressDetection);
        assertThat(run(syn6(LINK_LOCAL6))).as("exempt in every protocol").isEqualTo(XdpAction.TX);
        assertThat(run(globalSolicitation)).as("a denied global source is denied, ND or not")
                .isEqualTo(XdpAction.DROP);

        assertThat(dos.denyHits(1)).isZero();
        assertThat(dos.denyHits(2)).isZero();
        assertThat(dos.denyHits(3)).isEqualTo(1);
    }

    // --- protocol sanity

    @Test
    void invalidTcpFlagCombinationsToAVipAreDroppedInBothFamilies() {
        config(ALL_SANITY, DosRate.NONE, DosRate.NONE);
        int[] invalid = {TCP_SYN | TCP_FIN, TCP_SYN | TCP_RST, 0, TCP_FIN | TCP_PSH | TCP_URG,
                TCP_FIN | TCP_PSH | TCP_URG | TCP_ACK};
        for (int flags : invalid) {
            assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(flags).build()))
                    .as("flags 0x%x v4", flags).isEqualTo(XdpAction.DROP);
            assertThat(run(from6(CLIENT6).tcp(CLIENT_PORT, HTTP).tcpFlags(flags).build()))
                    .as("flags 0x%x v6", flags).isEqualTo(XdpAction.DROP);
        }
        int[] valid = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_ACK | TCP_PSH, TCP_FIN | TCP_ACK, TCP_RST};
        for (int flags : valid) {
            assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(flags).build()))
                    .as("flags 0x%x v4", flags).isEqualTo(XdpAction.TX);
        }
        assertThat(count(Reason.DROP_TCP_FLAGS)).isEqualTo(2L * invalid.length);
    }

    @Test
    void tcpFlagCheckIsOffUntilConfigured() {
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(TCP_SYN | TCP_FIN).build()))
                .isEqualTo(XdpAction.TX);
        assertThat(count(Reason.DROP_TCP_FLAGS)).isZero();
    }

    @Test
    void udpFromAReflectionPortIsDroppedUnlessTheVipListsIt() {
        config(ALL_SANITY, DosRate.NONE, DosRate.NONE);
        BitSet ports = new BitSet();
        ports.set(NTP);
        ports.set(MEMCACHED);
        dos.writeReflectionPorts(ports);

        assertThat(run(from(CLIENT4, VIP4).udp(MEMCACHED, DNS).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from6(CLIENT6).udp(NTP, DNS).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from(CLIENT4, VIP4).udp(CLIENT_PORT, DNS).build())).isEqualTo(XdpAction.TX);
        assertThat(count(Reason.DROP_REFLECTION)).isEqualTo(2);

        dos.writeVip(VIP_UDP4, new DosVipEntry(DosRate.NONE, false, List.of(NTP)));
        dos.writeVip(VIP_UDP6, new DosVipEntry(DosRate.NONE, false, List.of(NTP)));
        assertThat(run(from(CLIENT4, VIP4).udp(NTP, DNS).build())).isEqualTo(XdpAction.TX);
        assertThat(run(from6(CLIENT6).udp(NTP, DNS).build())).isEqualTo(XdpAction.TX);
        assertThat(run(from(CLIENT4, VIP4).udp(MEMCACHED, DNS).build())).isEqualTo(XdpAction.DROP);
        assertThat(count(Reason.DROP_REFLECTION)).isEqualTo(3);
    }

    @Test
    void fragmentsToAVipAreDroppedByDefaultAndPassedWhereTheVipSaysSo() {
        byte[] fragment4 = from(CLIENT4, VIP4).fragment(true, 0).udp(CLIENT_PORT, DNS).payload(32).build();
        byte[] fragment6 = from6(CLIENT6).fragment(true, 0).udp(CLIENT_PORT, DNS).payload(32).build();

        assertThat(run(fragment4)).isEqualTo(XdpAction.DROP);
        assertThat(run(fragment6)).isEqualTo(XdpAction.DROP);
        assertThat(count(Reason.DROP_FRAGMENT)).isEqualTo(2);

        dos.writeVip(VIP_UDP4, new DosVipEntry(DosRate.NONE, true, List.of()));
        dos.writeVip(VIP_UDP6, new DosVipEntry(DosRate.NONE, true, List.of()));
        assertThat(run(fragment4)).isEqualTo(XdpAction.PASS);
        assertThat(run(fragment6)).isEqualTo(XdpAction.PASS);
        assertThat(count(Reason.PASS_FRAGMENT)).isEqualTo(2);
        assertThat(count(Reason.DROP_FRAGMENT)).isEqualTo(2);
    }

    @Test
    void packetsShorterThanTheirHeadersClaimAreDroppedWithTheStageOn() {
        config(ALL_SANITY | DosAbi.DOS_F_TRACK_SOURCES, DosRate.NONE, DosRate.NONE);

        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).ipLength(200).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from6(CLIENT6).udp(CLIENT_PORT, DNS).ipLength(300).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpDataOffset(15).build()))
                .isEqualTo(XdpAction.DROP);
        assertThat(count(Reason.DROP_TRUNCATED)).isEqualTo(3);
        assertThat(count(Reason.TX_FORWARDED)).isZero();
    }

    // --- rate limits

    @Test
    void sourcePacketRateAllowsTheBurstThenDropsAndRefillsOverTime() {
        config(DosAbi.DOS_F_TRACK_SOURCES, new DosRate(1, 3), DosRate.NONE);
        byte[] ack = from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(TCP_ACK).build();

        for (int i = 0; i < 3; i++) {
            assertThat(run(ack)).as("packet %d of the burst", i).isEqualTo(XdpAction.TX);
        }
        assertThat(run(ack)).isEqualTo(XdpAction.DROP);
        assertThat(count(Reason.DROP_SOURCE_RATE)).isEqualTo(1);
        assertThat(run(syn4(OTHER4))).as("another source has its own bucket").isEqualTo(XdpAction.TX);

        // One second later (the bucket's clock moved back instead of sleeping) one token is back.
        DosSourceKey key = DosSourceKey.of(ip(CLIENT4));
        dos.writeSource(key, dos.readSource(key).orElseThrow().rewound(ONE_SECOND_NS));
        assertThat(run(ack)).isEqualTo(XdpAction.TX);
        assertThat(run(ack)).isEqualTo(XdpAction.DROP);

        DosSourceState state = dos.readSource(key).orElseThrow();
        assertThat(state.packets()).isEqualTo(6);
        assertThat(state.dropped()).isEqualTo(2);
    }

    @Test
    void rateLimitsReadTheCoarseClockNotTheClockSource() {
        // The daemon sizes every tolerance to the coarse clock's step (DosRateTest); a program that
        // read bpf_ktime_get_ns() again would work but pay ~27 ns a packet, one that read another
        // clock would break that sizing.
        assertThat(rig.object().helperCalls(DataplaneAbi.PROG_BALANCER))
                .contains(HELPER_KTIME_GET_COARSE_NS).doesNotContain(HELPER_KTIME_GET_NS);
    }

    @Test
    void aSaturatedSourceGetsItsRateAcrossTicksNotOneBurstPerTick() {
        // 1,000,000/s with a burst of 1: a 1 us interval, thousands of them in one tick of the coarse
        // clock. Had the tolerance stayed (burst - 1) x interval = 0, each jump of the clock would
        // lose its credit and the source would get about one packet a tick.
        maps.putVip(new VipKey(ip(VIP4), NO_TABLE_PORT, Protocol.TCP), new VipMeta(VIP_NO_TABLE, 0));
        DosRate rate = new DosRate(1_000_000, 1);
        config(DosAbi.DOS_F_TRACK_SOURCES, rate, DosRate.NONE);
        byte[] ack = from(CLIENT4, VIP4).tcp(CLIENT_PORT, NO_TABLE_PORT).tcpFlags(TCP_ACK).build();
        int repeat = 1_000_000;

        long wallStart = System.nanoTime();
        TestRunResult result = rig.runRepeated(ack, repeat);
        long wall = System.nanoTime() - wallStart;

        long admitted = count(Reason.DROP_NO_BACKEND);
        assertThat(admitted + count(Reason.DROP_SOURCE_RATE)).isEqualTo(repeat);
        // The program ran for `ran` ns (the kernel leaves out time it was preempted): a limit that
        // loses nothing admits the rate over that time. A tick the kernel makes up late jumps the
        // clock by two and loses some credit, hence the margin.
        long ran = result.durationNs() * repeat;
        long tick = CoarseClock.tickNanos();
        assertThat(admitted).as("admitted in %d ns of running, %d ns of wall time", ran, wall)
                .isGreaterThanOrEqualTo(ran / rate.intervalNanos() * 3 / 4)
                .isLessThanOrEqualTo((wall + 2 * tick) / rate.intervalNanos() + 2);
    }

    @Test
    void ipv6SourcesShareTheBucketOfTheirSlash64() {
        config(DosAbi.DOS_F_TRACK_SOURCES, new DosRate(1, 2), DosRate.NONE);

        assertThat(run(syn6(CLIENT6))).isEqualTo(XdpAction.TX);
        assertThat(run(syn6(SAME_SLASH64))).isEqualTo(XdpAction.TX);
        assertThat(run(syn6(CLIENT6))).isEqualTo(XdpAction.DROP);
        assertThat(run(syn6(OTHER6))).isEqualTo(XdpAction.TX);

        assertThat(count(Reason.DROP_SOURCE_RATE)).isEqualTo(1);
        assertThat(dos.readSource(DosSourceKey.of(ip(SAME_SLASH64))).orElseThrow().packets()).isEqualTo(3);
    }

    @Test
    void sourceNewFlowRateLimitsSynsButNotEstablishedPackets() {
        config(DosAbi.DOS_F_TRACK_SOURCES, DosRate.NONE, new DosRate(1, 2));
        byte[] ack = from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(TCP_ACK).build();

        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.TX);
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT + 1, HTTP).build())).isEqualTo(XdpAction.TX);
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT + 2, HTTP).build())).isEqualTo(XdpAction.DROP);
        assertThat(run(ack)).isEqualTo(XdpAction.TX);
        assertThat(count(Reason.DROP_SOURCE_FLOW_RATE)).isEqualTo(1);

        DosSourceKey key = DosSourceKey.of(ip(CLIENT4));
        dos.writeSource(key, dos.readSource(key).orElseThrow().rewound(ONE_SECOND_NS));
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT + 3, HTTP).build())).isEqualTo(XdpAction.TX);
    }

    @Test
    void newUdpFlowsAreRateLimitedWhilePacketsOfAKnownFlowAreNot() {
        config(DosAbi.DOS_F_TRACK_SOURCES, DosRate.NONE, new DosRate(1, 1));
        byte[] first = from6(CLIENT6).udp(CLIENT_PORT, DNS).build();

        assertThat(run(first)).isEqualTo(XdpAction.TX);
        assertThat(run(first)).as("same flow, now in the flow cache").isEqualTo(XdpAction.TX);
        assertThat(run(from6(CLIENT6).udp(CLIENT_PORT + 1, DNS).build())).isEqualTo(XdpAction.DROP);
        assertThat(count(Reason.DROP_SOURCE_FLOW_RATE)).isEqualTo(1);
    }

    @Test
    void vipNewFlowCeilingDropsNewFlowsFromAnySourceOverIt() {
        config(DosAbi.DOS_F_VIP_CEILINGS, DosRate.NONE, DosRate.NONE);
        dos.writeVip(VIP_TCP4, new DosVipEntry(new DosRate(1, 2), false, List.of()));

        assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.TX);
        assertThat(run(syn4(OTHER4))).isEqualTo(XdpAction.TX);
        assertThat(run(syn4(NEIGHBOUR4))).isEqualTo(XdpAction.DROP);
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(TCP_ACK).build()))
                .as("established traffic is not a new flow").isEqualTo(XdpAction.TX);
        assertThat(run(syn6(CLIENT6))).as("another VIP").isEqualTo(XdpAction.TX);
        assertThat(count(Reason.DROP_VIP_FLOW_CEILING)).isEqualTo(1);
    }

    @Test
    void allowListedSourceIsExemptFromRateLimitsButNotFromSanity() {
        lists(List.of("192.0.2.0/24"), Map.of(), DosAbi.DOS_F_TRACK_SOURCES | ALL_SANITY, new DosRate(1, 1),
                new DosRate(1, 1));

        for (int i = 0; i < 5; i++) {
            assertThat(run(syn4(CLIENT4))).isEqualTo(XdpAction.TX);
        }
        assertThat(run(from(CLIENT4, VIP4).tcp(CLIENT_PORT, HTTP).tcpFlags(TCP_SYN | TCP_FIN).build()))
                .isEqualTo(XdpAction.DROP);
        assertThat(dos.readSource(DosSourceKey.of(ip(CLIENT4)))).as("allowed sources are not tracked").isEmpty();
        assertThat(run(syn4(OTHER4))).isEqualTo(XdpAction.TX);
        assertThat(run(syn4(OTHER4))).isEqualTo(XdpAction.DROP);
    }

    @Test
    void trackedSourcesCountPacketsForTheDaemonEvenWithoutALimit() {
        config(DosAbi.DOS_F_TRACK_SOURCES, DosRate.NONE, DosRate.NONE);
        for (int i = 0; i < 4; i++) {
            run(syn4(CLIENT4));
        }
        run(syn6(CLIENT6));

        Map<DosSourceKey, DosSourceState> sources = dos.readSources();
        assertThat(sources.get(DosSourceKey.of(ip(CLIENT4))).packets()).isEqualTo(4);
        assertThat(sources.get(DosSourceKey.of(ip(CLIENT6))).packets()).isEqualTo(1);
        assertThat(count(Reason.TX_FORWARDED)).isEqualTo(5);
    }
}
