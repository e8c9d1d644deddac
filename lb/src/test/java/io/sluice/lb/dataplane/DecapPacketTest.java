package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.EtherType;
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The backend-side decap program, fed with what the balancer really sends (root only). */
class DecapPacketTest {
    private static final String VIP4 = "198.51.100.1";
    private static final String VIP6 = "2001:db8:100::1";
    private static final int PORT = 443;
    private static final int VIP_ID = 1;
    private static final int BACKEND_ID = 1;
    private static final int MTU = 1500;
    private static final int TABLE_SIZE = 7;

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

    private void route(String vip, String backend) {
        DataplaneMaps maps = balancer.maps();
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(vip), PORT, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putBackend(BACKEND_ID, BackendEntry.inUse(ip(backend)));
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, BACKEND_ID);
        maps.swapMaglevTable(VIP_ID, table);
    }

    private long decapCount(DecapReason reason) {
        return decap.counter(DataplaneAbi.MAP_DECAP_STATS, reason.value());
    }

    /** What the backend's stack must see: the client's packet, L2 addresses of the tunnel frame. */
    private static byte[] expectedInner(byte[] original, int etherType) {
        byte[] expected = original.clone();
        System.arraycopy(GATEWAY_MAC, 0, expected, 0, GATEWAY_MAC.length);
        System.arraycopy(LB_MAC, 0, expected, GATEWAY_MAC.length, LB_MAC.length);
        Frame frame = Frame.parse(original);
        expected[frame.l3Offset() - 2] = (byte) (etherType >>> 8);
        expected[frame.l3Offset() - 1] = (byte) etherType;
        return expected;
    }

    @ParameterizedTest(name = "{0} client via {1} backend, vlan {2}")
    @CsvSource({
        "198.51.100.1,    10.2.0.1, 0",
        "2001:db8:100::1, fd02::1,  0",
        "198.51.100.1,    fd02::1,  0",
        "2001:db8:100::1, 10.2.0.1, 0",
        "198.51.100.1,    10.2.0.1, 30",
        "2001:db8:100::1, fd02::1,  30",
    })
    void balancerOutputDecapsulatesToTheOriginalPacket(String vip, String backend, int vlan) {
        route(vip, backend);
        boolean v6 = ip(vip) instanceof Inet6Address;
        PacketBuilder client = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC);
        if (vlan != 0) {
            client.vlan(vlan);
        }
        byte[] original = (v6 ? client.ipv6("2001:db8::10", vip) : client.ipv4("192.0.2.10", vip))
                .tcp(40000, PORT).payload(77).build();

        TestRunResult tunnelled = balancer.run(original);
        assertThat(tunnelled.action()).isEqualTo(XdpAction.TX);
        TestRunResult result = decap.run(tunnelled.data());

        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        assertThat(result.data()).isEqualTo(expectedInner(original, v6 ? EtherType.IPV6 : EtherType.IPV4));
        assertThat(decapCount(DecapReason.DONE)).isEqualTo(1);
        assertThat(decapCount(DecapReason.PASS_NOT_ENCAP)).isZero();
    }

    @Test
    void plainTcpPassesUntouched() {
        byte[] plain = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("192.0.2.10", VIP4).tcp(40000, PORT)
                .payload(20).build();

        TestRunResult result = decap.run(plain);

        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        assertThat(result.data()).isEqualTo(plain);
        assertThat(decapCount(DecapReason.PASS_NOT_ENCAP)).isEqualTo(1);
        assertThat(decapCount(DecapReason.DONE)).isZero();
    }

    @Test
    void plainIpv6AndArpPassUntouched() {
        byte[] udp6 = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6("2001:db8::10", VIP6).udp(5000, 53)
                .payload(9).build();
        byte[] arp = PacketBuilder.ethernet(CLIENT_MAC, PacketBuilder.mac("ff:ff:ff:ff:ff:ff"))
                .arpRequest("192.0.2.10", VIP4).build();

        assertThat(decap.run(udp6).data()).isEqualTo(udp6);
        assertThat(decap.run(arp).data()).isEqualTo(arp);
        assertThat(decapCount(DecapReason.PASS_NOT_ENCAP)).isEqualTo(2);
    }

    @Test
    void tunnelWhoseInnerPacketIsCutShortIsDropped() {
        byte[] inner = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("192.0.2.10", VIP4).tcp(40000, PORT)
                .buildIpPacket();
        byte[] tunnel = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC).ipv4("10.0.0.1", "10.2.0.1")
                .rawPayload(EtherType.PROTO_IPIP, Arrays.copyOf(inner, 12)).build();

        TestRunResult result = decap.run(tunnel);

        assertThat(result.action()).isEqualTo(XdpAction.DROP);
        assertThat(decapCount(DecapReason.DROP_TRUNCATED)).isEqualTo(1);
    }

    @Test
    void outerLengthBeyondTheFrameIsDropped() {
        byte[] inner = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6("2001:db8::10", VIP6).udp(5000, 53)
                .buildIpPacket();
        byte[] tunnel = PacketBuilder.ethernet(LB_MAC, GATEWAY_MAC).ipv6("fd00::1", "fd02::1")
                .rawPayload(EtherType.PROTO_IPV6, inner).ipLength(inner.length + 100).build();

        TestRunResult result = decap.run(tunnel);

        assertThat(result.action()).isEqualTo(XdpAction.DROP);
        assertThat(decapCount(DecapReason.DROP_TRUNCATED)).isEqualTo(1);
    }
}
