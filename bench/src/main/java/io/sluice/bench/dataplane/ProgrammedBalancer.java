package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.FlowBucket;
import io.sluice.lb.dataplane.FlowFamily;
import io.sluice.lb.dataplane.FlowHash;
import io.sluice.lb.dataplane.FlowKey;
import io.sluice.lb.dataplane.FlowWay;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.PackedSlot;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.maglev.MaglevBackend;
import io.sluice.lb.maglev.MaglevTable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * balancer.o loaded with a flow cache of the given flows per CPU (in one table for all CPUs; the bench's
 * default is the production default) and programmed the way the daemon
 * does it (DataplaneMaps, MaglevTable): four TCP VIPs, one per encapsulation, and two more for the
 * second-layer paths (a drain, a moved bucket), each with a Maglev table of {@value #TABLE_SIZE}
 * slots over {@value #BACKENDS_PER_POOL} backends.
 */
final class ProgrammedBalancer implements AutoCloseable {
    static final int TABLE_SIZE = MaglevTable.DEFAULT_SIZE;
    static final int BACKENDS_PER_POOL = 100;
    static final int SERVICE_PORT = 80;
    static final int UNWEIGHTED = 1;

    static final InetAddress CLIENT4 = address("192.0.2.10");
    static final InetAddress CLIENT6 = address("2001:db8:c::10");
    /** IPv4 clients, IPv4 backends. */
    static final InetAddress VIP_4IN4 = address("198.51.100.1");
    /** IPv4 clients, IPv6 backends. */
    static final InetAddress VIP_4IN6 = address("198.51.100.2");
    static final InetAddress VIP_6IN6 = address("2001:db8:100::1");
    static final InetAddress VIP_6IN4 = address("2001:db8:100::2");
    /** IPv4 clients and backends, every bucket naming a draining previous owner (second chance). */
    static final InetAddress VIP_4IN4_SECOND_CHANCE = address("198.51.100.3");
    /** IPv4 clients and backends, for a remembered flow whose bucket moved ({@link #rememberOnAnotherBackend}). */
    static final InetAddress VIP_4IN4_MOVED = address("198.51.100.4");
    /** Same address family and port as the VIPs, but no VIP: the host's own traffic. */
    static final InetAddress NOT_A_VIP = address("198.51.100.99");

    private static final int FIRST_V4_BACKEND_ID = 1;
    private static final int FIRST_V6_BACKEND_ID = FIRST_V4_BACKEND_ID + BACKENDS_PER_POOL;
    private static final byte[] GATEWAY_MAC = {2, 0, 0, 0, 0, 3};
    private static final int MTU = 1500;
    private static final int ENCAP_SRC4_VARY = 0xff;
    private static final int ENCAP_SRC6_VARY = 0xffff;
    private static final int NO_FLAGS = 0;

    private static final int MOVED_VIP_ID = 6;

    private final BpfObject object;
    private final BpfProgram program;
    private final DataplaneMaps maps;
    private final int[] movedTable;

    ProgrammedBalancer(int flowsPerCpu) {
        object = DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()), flowsPerCpu).load();
        program = object.program(DataplaneAbi.PROG_BALANCER);
        maps = DataplaneMaps.of(object);
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) address("10.0.0.0"), ENCAP_SRC4_VARY,
                (Inet6Address) address("fd00::"), ENCAP_SRC6_VARY, NO_FLAGS));
        int[] v4Table = pool("10.2.%d.%d", FIRST_V4_BACKEND_ID);
        int[] v6Table = pool("fd00:2::%x:%x", FIRST_V6_BACKEND_ID);
        vip(1, VIP_4IN4, v4Table);
        vip(2, VIP_4IN6, v6Table);
        vip(3, VIP_6IN6, v6Table);
        vip(4, VIP_6IN4, v4Table);
        vip(5, VIP_4IN4_SECOND_CHANCE, withPreviousOwners(v4Table));
        vip(MOVED_VIP_ID, VIP_4IN4_MOVED, v4Table);
        movedTable = v4Table;
    }

    /**
     * Remembers the flow from {@code client} to VIP_4IN4_MOVED on the backend after its slot's
     * owner, as chosen from an earlier table (another epoch than the current table's): each of its
     * packets then reads the slot and goes to that backend with the owner behind it (select.h,
     * flow_moved_to).
     */
    void rememberOnAnotherBackend(InetAddress client, int clientPort) {
        FlowKey key = new FlowKey(client, VIP_4IN4_MOVED, clientPort, SERVICE_PORT, Protocol.TCP);
        int hash = FlowHash.hash(key.encode());
        int owner = movedTable[Integer.remainderUnsigned(hash, movedTable.length)];
        int other = FIRST_V4_BACKEND_ID + (owner - FIRST_V4_BACKEND_ID + 1) % BACKENDS_PER_POOL;
        int earlierEpoch = DataplaneAbi.tableEpoch(maps.maglevTableId(MOVED_VIP_ID).orElseThrow()) ^ 1;
        maps.writeFlowBucket(maps.bucketOf(hash), FlowBucket.of(List.of(Optional.of(FlowWay.of(key, other,
                MOVED_VIP_ID, earlierEpoch)), Optional.empty(), Optional.empty(), Optional.empty()), 0));
    }

    /** The worst case of a drain: every slot packed with another backend of the pool as its previous owner. */
    private static int[] withPreviousOwners(int[] table) {
        int[] packed = new int[table.length];
        for (int i = 0; i < table.length; i++) {
            int previous = FIRST_V4_BACKEND_ID + (table[i] - FIRST_V4_BACKEND_ID + 1) % BACKENDS_PER_POOL;
            packed[i] = PackedSlot.of(table[i], previous);
        }
        return packed;
    }

    BpfProgram program() {
        return program;
    }

    /** The loaded object (the DoS benchmark opens its maps). */
    BpfObject object() {
        return object;
    }

    DataplaneMaps maps() {
        return maps;
    }

    /** Slots of the IPv4 flow table (flows it can hold): the new-flow rows' flows are IPv4. */
    long flowSlots() {
        return maps.flowLayout().slots();
    }

    /** Bytes of a flow table's buckets: what a new flow's random bucket is drawn from. */
    long flowTableBytes(FlowFamily family) {
        return (long) maps.flowLayout().buckets() * family.bucketSize();
    }

    /** Occupied ways of the IPv4 flow table. */
    long flowCount() {
        return maps.flowCount(FlowFamily.IPV4, 0, maps.flowBucketCount());
    }

    long reasonCount(Reason reason) {
        return maps.reasonCounts().get(reason);
    }

    /** Writes the backends of one pool and returns its Maglev table as backend ids. */
    private int[] pool(String addressPattern, int firstId) {
        List<MaglevBackend> members = new ArrayList<>();
        Map<String, Integer> idByIdentity = new HashMap<>();
        for (int i = 0; i < BACKENDS_PER_POOL; i++) {
            String identity = String.format(addressPattern, i / 256 + 1, i % 256 + 1);
            int id = firstId + i;
            maps.putBackend(id, BackendEntry.inUse(address(identity)));
            members.add(new MaglevBackend(identity, UNWEIGHTED));
            idByIdentity.put(identity, id);
        }
        return MaglevTable.build(members, TABLE_SIZE).toSlots(b -> idByIdentity.get(b.identity()));
    }

    private void vip(int vipId, InetAddress address, int[] table) {
        maps.putVip(new VipKey(address, SERVICE_PORT, Protocol.TCP), new VipMeta(vipId, DataplaneAbi.VIP_FLAGS_NONE));
        maps.swapMaglevTable(vipId, table);
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    @Override
    public void close() {
        maps.close();
        program.close();
        object.close();
    }
}
