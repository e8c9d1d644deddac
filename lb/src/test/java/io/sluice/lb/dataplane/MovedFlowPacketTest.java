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
import io.sluice.testing.packet.Frame;
import io.sluice.testing.packet.IpLayer;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A remembered flow whose bucket the VIP's table now gives to another backend (ABI 11, select.h
 * flow_moved_to). The case it is for: an LB host remembers a 5-tuple from an earlier connection;
 * the client reuses the port for a new connection, whose SYN another LB host places by the table
 * (the hosts' tables agree, and this host's table moved the bucket since); then ECMP brings the new
 * connection here (the other host crashed or withdrew). The stale entry names the earlier backend,
 * which has no such connection. The packet now goes to the remembered backend with the table's
 * owner as second chance, and the remembered backend's decap sends it on. Root only: two
 * balancers (two LB hosts) and a decap through BPF_PROG_TEST_RUN.
 */
class MovedFlowPacketTest {
    private static final int VIP_ID = 1;
    private static final int EARLIER = 1;
    private static final int NEW = 2;
    private static final int THIRD = 3;
    private static final String EARLIER_ADDR = "10.2.0.1";
    private static final String NEW_ADDR = "10.2.0.2";
    private static final String THIRD_ADDR = "10.2.0.3";
    private static final String VIP4 = "198.51.100.1";
    private static final String VIP6 = "2001:db8:100::1";
    private static final String CLIENT4 = "192.0.2.10";
    private static final String CLIENT6 = "2001:db8::10";
    private static final int PORT = 443;
    private static final int CLIENT_PORT = 40000;
    private static final int MTU = 1500;
    private static final int TABLE_SIZE = 7;
    private static final int PAYLOAD = 33;

    private final List<BalancerRig> rigs = new ArrayList<>();
    private BalancerRig here;
    private BalancerRig decap;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        here = lbHost();
        decap = BalancerRig.decap();
        rigs.add(decap);
    }

    @AfterEach
    void close() {
        rigs.forEach(BalancerRig::close);
    }

    /** A balancer with the VIPs, three backends and a table owned by EARLIER. */
    private BalancerRig lbHost() {
        BalancerRig rig = BalancerRig.balancer();
        rigs.add(rig);
        DataplaneMaps maps = rig.maps();
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(VIP4), PORT, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putVip(new VipKey(ip(VIP6), PORT, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putBackend(EARLIER, BackendEntry.inUse(ip(EARLIER_ADDR)));
        maps.putBackend(NEW, BackendEntry.inUse(ip(NEW_ADDR)));
        maps.putBackend(THIRD, BackendEntry.inUse(ip(THIRD_ADDR)));
        table(rig, PackedSlot.of(EARLIER));
        return rig;
    }

    /** Every slot of the VIP's table set to `packed`, through a swap (a new inner map). */
    private static void table(BalancerRig rig, int packed) {
        int[] slots = new int[TABLE_SIZE];
        Arrays.fill(slots, packed);
        rig.maps().swapMaglevTable(VIP_ID, slots);
    }

    private static int currentEpoch(BalancerRig rig) {
        return DataplaneAbi.tableEpoch(rig.maps().maglevTableId(VIP_ID).orElseThrow());
    }

    private static byte[] packet(String vip, int flags, int payload) {
        PacketBuilder b = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC);
        b = ip(vip) instanceof Inet6Address ? b.ipv6(CLIENT6, vip) : b.ipv4(CLIENT4, vip);
        return b.dontFragment().tcp(CLIENT_PORT, PORT).tcpFlags(flags).payload(payload).build();
    }

    private static byte[] ack(String vip) {
        return packet(vip, TCP_FLAG_ACK, PAYLOAD);
    }

    private static FlowKey flow(String vip) {
        return new FlowKey(ip(ip(vip) instanceof Inet6Address ? CLIENT6 : CLIENT4), ip(vip), CLIENT_PORT, PORT,
                Protocol.TCP);
    }

    /** The flow's one way in its bucket on this host. */
    private static FlowWay way(BalancerRig rig, String vip) {
        FlowKey key = flow(vip);
        int bucket = rig.maps().bucketOf(FlowHash.hash(key.encode()));
        return rig.maps().readFlowBucket(FlowFamily.of(key), bucket).occupied().stream()
                .filter(w -> w.key().matches(key)).findFirst().orElseThrow();
    }

    private static long reason(BalancerRig rig, Reason r) {
        return rig.counter(DataplaneAbi.MAP_REASONS, r.value());
    }

    private static InetAddress outerDst(TestRunResult out) {
        return IpLayer.outer(out.data()).dst();
    }

    @ParameterizedTest(name = "vip {0}")
    @ValueSource(strings = {VIP4, VIP6})
    void aStaleEntryOfAReusedTupleSendsTheNewConnectionOnToTheTablesOwner(String vip) {
        // The earlier connection ran through this host while the table gave the bucket to EARLIER.
        assertThat(outerDst(here.run(ack(vip)))).isEqualTo(ip(EARLIER_ADDR));
        FlowWay stale = way(here, vip);
        // Both hosts' tables move the bucket to NEW (a ramp, a drain that ended, a new backend).
        BalancerRig elsewhere = lbHost();
        table(here, PackedSlot.of(NEW));
        table(elsewhere, PackedSlot.of(NEW));
        // The client reuses the port: the new connection's SYN and first packets run on the other host.
        assertThat(outerDst(elsewhere.run(packet(vip, TCP_FLAG_SYN, 0)))).isEqualTo(ip(NEW_ADDR));
        assertThat(outerDst(elsewhere.run(ack(vip)))).isEqualTo(ip(NEW_ADDR));

        // That host fails; ECMP brings the connection here, where the stale entry still names EARLIER.
        byte[] original = ack(vip);
        TestRunResult out = here.run(original);

        IpLayer outer = IpLayer.outer(out.data());
        IpLayer second = outer.next(out.data());
        assertThat(outer.dst()).as("the remembered backend first").isEqualTo(ip(EARLIER_ADDR));
        assertThat(second.dst()).as("the table's owner behind it").isEqualTo(ip(NEW_ADDR));
        assertThat(Arrays.copyOfRange(out.data(), second.payloadOffset(), out.data().length))
                .isEqualTo(Frame.parse(original).l3Bytes());
        assertThat(reason(here, Reason.FLOW_MOVED)).isEqualTo(1);
        // Not a drain's second chance: the drain counters stay clean.
        assertThat(reason(here, Reason.TX_SECOND_CHANCE)).isZero();
        assertThat(here.maps().backendTraffic(NEW).secondChance()).isZero();

        // EARLIER has no socket for the flow (none in this namespace): its decap sends it on to NEW ...
        TestRunResult atEarlier = decap.run(out.data());
        assertThat(atEarlier.action()).isEqualTo(XdpAction.TX);
        assertThat(outerDst(atEarlier)).isEqualTo(ip(NEW_ADDR));
        // ... where it decapsulates to the client's packet.
        TestRunResult atNew = decap.run(atEarlier.data());
        assertThat(atNew.action()).isEqualTo(XdpAction.PASS);
        assertThat(Frame.parse(atNew.data()).l3Bytes()).isEqualTo(Frame.parse(original).l3Bytes());

        // The entry is left as it was (this host cannot tell which backend has the flow), so the
        // next packet asks the table again.
        assertThat(way(here, vip)).isEqualTo(stale);
        byte[] again = here.run(ack(vip)).data();
        assertThat(IpLayer.outer(again).next(again).dst()).isEqualTo(ip(NEW_ADDR));
        assertThat(reason(here, Reason.FLOW_MOVED)).isEqualTo(2);
    }

    @Test
    void aWayRemembersTheTableItWasChosenFromAndIsMarkedWhenALaterTableAgrees() {
        here.run(ack(VIP4));
        assertThat(way(here, VIP4).tableEpoch()).isEqualTo(currentEpoch(here));
        // A new table that gives the bucket to the same backend: one look, and the way is marked.
        table(here, PackedSlot.of(EARLIER));
        int agreeing = currentEpoch(here);

        assertThat(outerDst(here.run(ack(VIP4)))).isEqualTo(ip(EARLIER_ADDR));

        assertThat(way(here, VIP4).tableEpoch()).isEqualTo(agreeing);
        assertThat(way(here, VIP4).backendId()).isEqualTo(EARLIER);
        assertThat(reason(here, Reason.FLOW_MOVED)).isZero();
    }

    @Test
    void aWayMarkedForTheCurrentTableIsNotSecondGuessed() {
        here.run(ack(VIP4));
        table(here, PackedSlot.of(NEW));
        // Mark the way as agreeing with the new table, as if it had been chosen from it: the program
        // must trust the mark and not read the table (which says NEW) for this flow.
        FlowKey key = flow(VIP4);
        int bucket = here.maps().bucketOf(FlowHash.hash(key.encode()));
        FlowWay way = way(here, VIP4);
        here.maps().writeFlowBucket(bucket, FlowBucket.of(List.of(Optional.of(new FlowWay(way.key(), way.backendId(),
                way.check(), currentEpoch(here))), Optional.empty(), Optional.empty(), Optional.empty()), 0));

        TestRunResult out = here.run(ack(VIP4));

        IpLayer outer = IpLayer.outer(out.data());
        assertThat(outer.dst()).isEqualTo(ip(EARLIER_ADDR));
        assertThat(outer.next(out.data()).dst()).as("one layer: the client's packet").isEqualTo(ip(VIP4));
        assertThat(reason(here, Reason.FLOW_MOVED)).isZero();
        assertThat(reason(here, Reason.FLOW_HIT)).isEqualTo(1);
    }

    @Test
    void aPacketTooBigForTwoLayersGoesToTheRememberedBackendAlone() {
        here.run(ack(VIP4));
        table(here, PackedSlot.of(NEW));
        // 1470 bytes fits one layer (1490 <= 1500), not two (1510).
        byte[] big = packet(VIP4, TCP_FLAG_ACK, 1470 - 40);

        TestRunResult out = here.run(big);

        assertThat(out.action()).isEqualTo(XdpAction.TX);
        IpLayer outer = IpLayer.outer(out.data());
        assertThat(outer.dst()).isEqualTo(ip(EARLIER_ADDR));
        assertThat(outer.next(out.data()).dst()).isEqualTo(ip(VIP4));
        assertThat(reason(here, Reason.FLOW_MOVED_ALONE)).isEqualTo(1);
        assertThat(reason(here, Reason.FLOW_MOVED)).isZero();
        assertThat(reason(here, Reason.TX_ICMP_TOO_BIG)).isZero();
    }

    @Test
    void aRememberedDrainPairKeepsItsPairWhenTheBucketMovesAgain() {
        // Seen mid-flow while EARLIER drained: remembered with the pair (NEW, previous EARLIER).
        table(here, PackedSlot.of(NEW, EARLIER));
        here.run(ack(VIP4));
        table(here, PackedSlot.of(THIRD));

        TestRunResult out = here.run(ack(VIP4));

        IpLayer outer = IpLayer.outer(out.data());
        assertThat(outer.dst()).isEqualTo(ip(NEW_ADDR));
        assertThat(outer.next(out.data()).dst()).isEqualTo(ip(EARLIER_ADDR));
        assertThat(reason(here, Reason.FLOW_MOVED)).isZero();
        assertThat(reason(here, Reason.TX_SECOND_CHANCE)).isEqualTo(2);
        assertThat(way(here, VIP4).tableEpoch()).as("marked: the pair is all it will send").isEqualTo(currentEpoch(here));
    }

    @Test
    void aTableOwnerOutOfServiceIsNoSecondChance() {
        here.run(ack(VIP4));
        table(here, PackedSlot.of(NEW));
        here.maps().clearBackend(NEW);

        TestRunResult out = here.run(ack(VIP4));

        IpLayer outer = IpLayer.outer(out.data());
        assertThat(outer.dst()).isEqualTo(ip(EARLIER_ADDR));
        assertThat(outer.next(out.data()).dst()).isEqualTo(ip(VIP4));
        assertThat(reason(here, Reason.FLOW_MOVED)).isZero();
    }
}
