package io.sluice.lb.dataplane;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VIP table as the program reads it (vip_table.h) and the daemon writes it (VipTable): the Java
 * hash and placement agree with the program's, a VIP placed in its second bucket is found, new
 * metadata never leaves a moment without the VIP, and a slot whose check does not match is no VIP.
 * A packet to a VIP without a Maglev table is dropped as DROP_NO_BACKEND, one to no VIP passes
 * as PASS_NOT_VIP: that difference is what these tests read.
 */
class VipTablePacketTest {
    private static final String CLIENT = "192.0.2.10";
    private static final int CLIENT_PORT = 40000;
    private static final int MTU = 1500;

    private BalancerRig rig;
    private DataplaneMaps maps;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF_PROG_TEST_RUN needs root");
        rig = BalancerRig.balancer();
        maps = rig.maps();
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
    }

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private static byte[] tcpTo(String vip, int port) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(CLIENT, vip).tcp(CLIENT_PORT, port)
                .tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
    }

    private static byte[] tcp6To(String vip, int port) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6("2001:db8:c::10", vip).tcp(CLIENT_PORT, port)
                .tcpFlags(PacketBuilder.TCP_FLAG_ACK).build();
    }

    private long count(Reason reason) {
        return maps.reasonCounts().get(reason);
    }

    /** Whether the program took the frame's destination for a VIP (no table: dropped, not passed). */
    private boolean seenAsVip(byte[] frame) {
        long before = count(Reason.DROP_NO_BACKEND);
        XdpAction action = rig.run(frame).action();
        boolean vip = count(Reason.DROP_NO_BACKEND) == before + 1;
        assertThat(action).isEqualTo(vip ? XdpAction.DROP : XdpAction.PASS);
        return vip;
    }

    @Test
    void everyPlacedVipIsFoundAndNothingElse() {
        List<VipKey> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            keys.add(new VipKey(ip("198.51." + (100 + i / 250) + "." + (1 + i % 250)), 80 + i % 3, Protocol.TCP));
        }
        for (int i = 0; i < 40; i++) {
            keys.add(new VipKey(ip("2001:db8:100::" + Integer.toHexString(i + 1)), 443, Protocol.TCP));
        }
        for (int i = 0; i < keys.size(); i++) {
            maps.putVip(keys.get(i), new VipMeta(i, DataplaneAbi.VIP_FLAGS_NONE));
        }

        assertThat(maps.readVips()).hasSize(keys.size());
        for (int i = 0; i < 300; i++) {
            assertThat(seenAsVip(tcpTo("198.51." + (100 + i / 250) + "." + (1 + i % 250), 80 + i % 3)))
                    .as("VIP %d", i).isTrue();
        }
        for (int i = 0; i < 40; i++) {
            assertThat(seenAsVip(tcp6To("2001:db8:100::" + Integer.toHexString(i + 1), 443))).isTrue();
        }
        // Same address, another port; another protocol's port; an address next to the VIPs.
        assertThat(seenAsVip(tcpTo("198.51.100.1", 83))).isFalse();
        assertThat(seenAsVip(tcpTo("198.51.101.99", 80))).isFalse();
        assertThat(seenAsVip(tcp6To("2001:db8:100::1", 80))).isFalse();
    }

    @Test
    void vipsSharingTheirFirstBucketSpillIntoTheSecond() {
        int first = -1;
        List<VipKey> sameFirst = new ArrayList<>();
        for (int port = 1; sameFirst.size() < DataplaneAbi.VIP_WAYS + 2; port++) {
            VipKey key = new VipKey(ip("198.51.100.7"), port, Protocol.TCP);
            int bucket = VipTable.buckets(VipTable.hash(key.encode()))[0];
            if (first < 0) {
                first = bucket;
            }
            if (bucket == first) {
                sameFirst.add(key);
            }
        }
        for (int i = 0; i < sameFirst.size(); i++) {
            maps.putVip(sameFirst.get(i), new VipMeta(i, DataplaneAbi.VIP_FLAGS_NONE));
        }

        for (VipKey key : sameFirst) {
            assertThat(seenAsVip(tcpTo("198.51.100.7", key.port()))).as("port %d", key.port()).isTrue();
        }
        maps.deleteVip(sameFirst.get(0));
        assertThat(seenAsVip(tcpTo("198.51.100.7", sameFirst.get(0).port()))).isFalse();
        assertThat(seenAsVip(tcpTo("198.51.100.7", sameFirst.get(1).port()))).isTrue();
        assertThat(maps.readVips()).hasSize(sameFirst.size() - 1);
    }

    @Test
    void newMetadataGoesToAnotherSlotBeforeTheOldOneIsEmptied() {
        VipKey key = new VipKey(ip("198.51.100.1"), 80, Protocol.TCP);
        maps.putVip(key, new VipMeta(1, DataplaneAbi.VIP_FLAGS_NONE));
        maps.putVip(key, new VipMeta(2, DataplaneAbi.VIP_FLAGS_NONE));
        maps.putVip(key, new VipMeta(2, DataplaneAbi.VIP_FLAGS_NONE));

        assertThat(maps.readVips()).containsExactly(java.util.Map.entry(key, new VipMeta(2, 0)));
        assertThat(seenAsVip(tcpTo("198.51.100.1", 80))).isTrue();
    }

    @Test
    void slotWhoseCheckDoesNotMatchItsMetadataIsNoVip() {
        // What a reader sees while the daemon writes the slot: the key, but not yet its metadata.
        VipKey key = new VipKey(ip("198.51.100.1"), 80, Protocol.TCP);
        maps.putVip(key, new VipMeta(1, DataplaneAbi.VIP_FLAGS_NONE));
        assertThat(seenAsVip(tcpTo("198.51.100.1", 80))).isTrue();
        int bucket = VipTable.buckets(VipTable.hash(key.encode()))[0];
        byte[] raw = maps.readVipBucket(bucket);
        ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).putInt(VipSlot.OFFSET_META + VipMeta.OFFSET_VIP_ID, 2);
        maps.writeVipBucket(bucket, raw);

        assertThat(seenAsVip(tcpTo("198.51.100.1", 80))).isFalse();
    }
}
