package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.CpuPin;
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client reuses a source port (a 5-tuple) for a new connection after the table changed, and the
 * earlier connection's packets ran on another CPU than the new SYN (veth runs a packet on the
 * sending CPU; an RSS change moves flows). With a flow cache per CPU, the other CPU's entry still
 * named the earlier backend, and the new connection's first packet on that CPU reached a backend
 * that had no such connection (a reset: seen in the lab as a few resets per thousand connections
 * across reloads). The cache is one table for every CPU, so the SYN replaces the only entry.
 * BPF_PROG_TEST_RUN, each packet on the CPU a test pins it to.
 */
class FlowReusePacketTest {
    private static final String CLIENT = "192.0.2.10";
    private static final String VIP = "198.51.100.1";
    private static final int HTTP = 80;
    private static final int CLIENT_PORT = 40000;
    private static final String EARLIER_BACKEND = "10.2.0.1";
    private static final String NEW_BACKEND = "10.2.0.2";
    private static final int VIP_ID = 1;
    private static final int ID_EARLIER = 1;
    private static final int ID_NEW = 2;
    private static final int TABLE_SIZE = 7;
    private static final int MTU = 1500;

    private BalancerRig rig;
    private DataplaneMaps maps;
    private int ownCpu;
    private int otherCpu;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        rig = BalancerRig.balancer();
        maps = rig.maps();
        int cpus = BpfMap.possibleCpus();
        assumeTrue(cpus >= 2, "needs two CPUs");
        ownCpu = rig.cpu();
        otherCpu = (ownCpu + 1) % cpus;
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(VIP), HTTP, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putBackend(ID_EARLIER, BackendEntry.inUse(ip(EARLIER_BACKEND)));
        maps.putBackend(ID_NEW, BackendEntry.inUse(ip(NEW_BACKEND)));
        maps.swapMaglevTable(VIP_ID, filled(ID_EARLIER));
    }

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private static int[] filled(int backendId) {
        int[] table = new int[TABLE_SIZE];
        Arrays.fill(table, backendId);
        return table;
    }

    private static byte[] syn(int port) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT, VIP).tcp(port, HTTP).build();
    }

    private static byte[] ack(int port) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT, VIP).tcp(port, HTTP)
                .tcpFlags(PacketBuilder.TCP_FLAG_ACK).payload(5).build();
    }

    private static FlowKey flow(int port) {
        return new FlowKey(ip(CLIENT), ip(VIP), port, HTTP, Protocol.TCP);
    }

    /** Runs the frame on `cpu` and returns the backend it was sent to. */
    private InetAddress sentTo(byte[] frame, int cpu) {
        Optional<CpuPin> pin = CpuPin.on(cpu);
        assumeTrue(pin.isPresent(), "the test thread may not run on CPU " + cpu);
        try (CpuPin pinned = pin.get()) {
            assertThat(CpuPin.cpu()).isEqualTo(cpu);
            return Frame.parse(rig.run(frame).data()).ipv4().dst();
        }
    }

    /** The flow's entries in its bucket (one at most: a second would be a bug). */
    private List<FlowWay> remembered(FlowKey key) {
        int bucket = maps.bucketOf(FlowHash.hash(key.encode()));
        return maps.readFlowBucket(FlowFamily.IPV4, bucket).occupied().stream().filter(s -> s.key().matches(key)).toList();
    }

    private long count(Reason reason) {
        return maps.reasonCounts().get(reason);
    }

    /** The earlier connection: its SYN on the other CPU, its later packets on this one (as veth does). */
    private void earlierConnectionOnBothCpus(int port) {
        assertThat(sentTo(syn(port), otherCpu)).isEqualTo(ip(EARLIER_BACKEND));
        assertThat(sentTo(ack(port), ownCpu)).isEqualTo(ip(EARLIER_BACKEND));
        assertThat(remembered(flow(port))).extracting(FlowWay::backendId).containsExactly(ID_EARLIER);
        assertThat(count(Reason.FLOW_HIT)).isEqualTo(1);
    }

    @Test
    void reusedFiveTupleAfterATableChangeNeverReachesTheEarlierBackendOnAnyCpu() {
        earlierConnectionOnBothCpus(CLIENT_PORT);
        maps.swapMaglevTable(VIP_ID, filled(ID_NEW));

        // The new connection: its SYN on this CPU follows the table ...
        assertThat(sentTo(syn(CLIENT_PORT), ownCpu)).isEqualTo(ip(NEW_BACKEND));
        // ... and its next packets, on the CPU that ran the earlier connection too, go where the SYN went.
        assertThat(sentTo(ack(CLIENT_PORT), otherCpu)).isEqualTo(ip(NEW_BACKEND));
        assertThat(sentTo(ack(CLIENT_PORT), ownCpu)).isEqualTo(ip(NEW_BACKEND));

        assertThat(count(Reason.FLOW_SYN_REPLACED)).isEqualTo(1);
        assertThat(remembered(flow(CLIENT_PORT))).extracting(FlowWay::backendId).containsExactly(ID_NEW);
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    @Test
    void synReplacesOnlyItsOwnFiveTuple() {
        int neighbour = portInSameBucket(CLIENT_PORT);
        earlierConnectionOnBothCpus(CLIENT_PORT);
        assertThat(sentTo(syn(neighbour), otherCpu)).isEqualTo(ip(EARLIER_BACKEND));
        maps.swapMaglevTable(VIP_ID, filled(ID_NEW));

        sentTo(syn(CLIENT_PORT), ownCpu);

        assertThat(remembered(flow(CLIENT_PORT))).extracting(FlowWay::backendId).containsExactly(ID_NEW);
        // An established flow sharing the bucket stays on its backend after the table change, on either CPU.
        assertThat(remembered(flow(neighbour))).extracting(FlowWay::backendId).containsExactly(ID_EARLIER);
        assertThat(sentTo(ack(neighbour), ownCpu)).isEqualTo(ip(EARLIER_BACKEND));
        assertThat(sentTo(ack(neighbour), otherCpu)).isEqualTo(ip(EARLIER_BACKEND));
    }

    @Test
    void firstSynReplacesNothingAndARetransmittedOneKeepsOneEntry() {
        assertThat(sentTo(syn(CLIENT_PORT), ownCpu)).isEqualTo(ip(EARLIER_BACKEND));
        assertThat(count(Reason.FLOW_SYN_REPLACED)).isZero();
        // A retransmitted SYN, on the other CPU: the same entry is replaced, no second one appears.
        assertThat(sentTo(syn(CLIENT_PORT), otherCpu)).isEqualTo(ip(EARLIER_BACKEND));

        assertThat(count(Reason.FLOW_SYN_REPLACED)).isEqualTo(1);
        assertThat(remembered(flow(CLIENT_PORT))).extracting(FlowWay::backendId).containsExactly(ID_EARLIER);
        assertThat(maps.flowCount()).isEqualTo(1);
    }

    /** Another client port whose flow falls in the same bucket. */
    private int portInSameBucket(int port) {
        int bucket = maps.bucketOf(FlowHash.hash(flow(port).encode()));
        for (int other = port + 1; other < 65536; other++) {
            if (maps.bucketOf(FlowHash.hash(flow(other).encode())) == bucket) {
                return other;
            }
        }
        throw new AssertionError("no other port in bucket " + bucket);
    }
}
