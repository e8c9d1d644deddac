package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.UpdateFlags;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.L4Ports;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bench_restore: with repeat > 1 every iteration must see the pristine packet (optionally
 * as a new flow), so a benchmark measures the path it claims to measure (root only).
 */
class BenchRestorePacketTest {
    private static final String VIP = "198.51.100.1";
    private static final int PORT = 80;
    private static final int VIP_ID = 1;
    private static final int BACKEND_ID = 1;
    private static final int TABLE_SIZE = 7;
    private static final int MAX_PACKET = 1536;
    private static final int OFFSET_SPORT = 4;
    private static final int OFFSET_BYTES = 8;
    private static final int NO_REWRITE = 0;
    private static final int SPORT_OFFSET = PacketBuilder.ETHERNET_HEADER + PacketBuilder.IPV4_HEADER;
    private static final int REPEAT = 100;

    private BalancerRig balancer;
    private BpfObject bench;
    private BpfObject pass;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        balancer = BalancerRig.balancer();
        bench = BpfObject.open(BpfObjectFiles.locate("bench_restore.o")).load();
        pass = BpfObject.open(BpfObjectFiles.locate("xdp_pass.o")).load();
        DataplaneMaps maps = balancer.maps();
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, 1500, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(VIP), PORT, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putBackend(BACKEND_ID, BackendEntry.inUse(ip("10.2.0.1")));
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, BACKEND_ID);
        maps.swapMaglevTable(VIP_ID, table);
    }

    @AfterEach
    void close() {
        for (AutoCloseable c : new AutoCloseable[] {pass, bench, balancer}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    private void target(BpfObject object, String program) {
        try (BpfMap targets = bench.map("bench_target"); BpfProgram target = object.program(program)) {
            targets.update(u32(0), u32(target.fd()), UpdateFlags.ANY);
        }
    }

    private void pristine(byte[] packet, int sportOffset) {
        ByteBuffer value = ByteBuffer.allocate(OFFSET_BYTES + MAX_PACKET).order(ByteOrder.nativeOrder());
        value.putInt(0, packet.length).putShort(OFFSET_SPORT, (short) sportOffset);
        value.put(OFFSET_BYTES, packet);
        try (BpfMap map = bench.map("bench_packet")) {
            map.update(u32(0), value.array(), UpdateFlags.ANY);
        }
    }

    private TestRunResult runRepeated(byte[] packet) {
        try (BpfProgram wrapper = bench.program("bench_restore")) {
            return wrapper.testRun(packet, REPEAT);
        }
    }

    private static byte[] client(int sourcePort) {
        // An established flow's packet: a SYN would skip the flow cache (a new flow follows the table).
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4("192.0.2.10", VIP).tcp(sourcePort, PORT)
                .tcpFlags(PacketBuilder.TCP_FLAG_ACK).payload(50).build();
    }

    @Test
    void everyIterationIsANewFlowThroughTheBalancer() {
        byte[] packet = client(40000);
        pristine(packet, SPORT_OFFSET);
        target(balancer.object(), DataplaneAbi.PROG_BALANCER);

        TestRunResult result = runRepeated(packet);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        Frame out = Frame.parse(result.data());
        assertThat(out.ipv4().dst()).isEqualTo(ip("10.2.0.1"));
        assertThat(L4Ports.parse(result.data(), out.ipv4().payloadOffset() + PacketBuilder.IPV4_HEADER).src())
                .isEqualTo(REPEAT);
        assertThat(balancer.maps().reasonCounts().get(Reason.FLOW_MISS)).isEqualTo(REPEAT);
        assertThat(balancer.maps().reasonCounts().get(Reason.TX_FORWARDED)).isEqualTo(REPEAT);
    }

    @Test
    void withoutRewritingTheSameFlowHitsTheFlowTable() {
        byte[] packet = client(40000);
        pristine(packet, NO_REWRITE);
        target(balancer.object(), DataplaneAbi.PROG_BALANCER);

        TestRunResult result = runRepeated(packet);

        assertThat(result.action()).isEqualTo(XdpAction.TX);
        assertThat(balancer.maps().reasonCounts().get(Reason.FLOW_MISS)).isEqualTo(1);
        assertThat(balancer.maps().reasonCounts().get(Reason.FLOW_HIT)).isEqualTo(REPEAT - 1);
        assertThat(balancer.maps().vipTraffic(VIP_ID).packets()).isEqualTo(REPEAT);
    }

    @Test
    void throughXdpPassThePacketComesOutRestored() {
        byte[] packet = client(40000);
        pristine(packet, SPORT_OFFSET);
        target(pass, "xdp_pass");

        TestRunResult result = runRepeated(packet);

        assertThat(result.action()).isEqualTo(XdpAction.PASS);
        // The wrapper rewrites the port only (checksums are not the balancer's business).
        byte[] expected = packet.clone();
        expected[SPORT_OFFSET] = (byte) (REPEAT >>> 8);
        expected[SPORT_OFFSET + 1] = (byte) REPEAT;
        assertThat(result.data()).isEqualTo(expected);
    }

    @Test
    void decapsulationIsUndoneEveryIteration() {
        byte[] tunnelled = balancer.run(client(40000)).data();
        pristine(tunnelled, NO_REWRITE);
        try (BalancerRig decap = BalancerRig.decap()) {
            target(decap.object(), DataplaneAbi.PROG_DECAP);

            TestRunResult result = runRepeated(tunnelled);

            assertThat(result.action()).isEqualTo(XdpAction.PASS);
            // Each iteration saw the tunnelled frame again: without the restore only the first would decapsulate.
            assertThat(decap.counter(DataplaneAbi.MAP_DECAP_STATS, DecapReason.DONE.value())).isEqualTo(REPEAT);
            assertThat(decap.counter(DataplaneAbi.MAP_DECAP_STATS, DecapReason.PASS_NOT_ENCAP.value())).isZero();
            assertThat(result.data()).hasSize(tunnelled.length - PacketBuilder.IPV4_HEADER);
            assertThat(Frame.parse(result.data()).ipv4().dst()).isEqualTo(ip(VIP));
        }
    }

    @Test
    void withoutATargetTheWrapperAborts() {
        byte[] packet = client(40000);
        pristine(packet, NO_REWRITE);

        assertThat(runRepeated(packet).action()).isEqualTo(XdpAction.ABORTED);
    }
}
