package io.sluice.testing.packet;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A freshly loaded XDP object (balancer or decap) with its maps, for packet tests run
 * through BPF_PROG_TEST_RUN, one packet per run (repeat 1: the kernel would otherwise
 * rerun on the rewritten buffer).
 */
public final class BalancerRig implements AutoCloseable {
    public static final byte[] CLIENT_MAC = PacketBuilder.mac("02:00:00:00:00:01");
    public static final byte[] LB_MAC = PacketBuilder.mac("02:00:00:00:00:02");
    public static final byte[] GATEWAY_MAC = PacketBuilder.mac("02:00:00:00:00:03");
    /** Small flow table (flows per CPU): tests insert a handful of flows, and each load preallocates it. */
    private static final int TEST_FLOW_TABLE_SIZE = 1024;
    private static final int SINGLE_RUN = 1;

    private final BpfObject object;
    private final BpfProgram program;
    private final DataplaneMaps maps;
    /** Every run of one rig happens on the same CPU, unless a test pins another (flows that change CPU). */
    private final CpuPin pin;

    private BalancerRig(BpfObject object, String programName, DataplaneMaps maps) {
        this.object = object;
        this.program = object.program(programName);
        this.maps = maps;
        this.pin = CpuPin.currentCpu();
    }

    public static BalancerRig balancer() {
        BpfObject object = DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()),
                TEST_FLOW_TABLE_SIZE).load();
        return new BalancerRig(object, DataplaneAbi.PROG_BALANCER, DataplaneMaps.of(object));
    }

    public static BalancerRig decap() {
        BpfObject object = BpfObject.open(BpfObjectFiles.decap()).load();
        return new BalancerRig(object, DataplaneAbi.PROG_DECAP, null);
    }

    /** BPF needs root here; tests call this in an assumption so non-root runs skip them. */
    public static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    public DataplaneMaps maps() {
        if (maps == null) {
            throw new IllegalStateException("the decap object has no balancer maps");
        }
        return maps;
    }

    /** The loaded object, e.g. to take one of its programs as a tail-call target. */
    public BpfObject object() {
        return object;
    }

    public TestRunResult run(byte[] frame) {
        return program.testRun(frame, SINGLE_RUN);
    }

    /**
     * The frame {@code repeat} times in one call, in the same buffer: only for a path that leaves
     * the frame as it was (a drop or a pass), or the later runs see the rewritten one.
     */
    public TestRunResult runRepeated(byte[] frame, int repeat) {
        return program.testRun(frame, repeat);
    }

    /** The CPU every run of this rig happens on (the flow cache entries it writes are that CPU's). */
    public int cpu() {
        return CpuPin.cpu();
    }

    /** A per-CPU u64 counter array (reasons, decap_stats) summed over CPUs. */
    public long counter(String mapName, int index) {
        try (BpfMap map = object.map(mapName)) {
            return map.sumPerCpuCounter(index);
        }
    }

    @Override
    public void close() {
        if (maps != null) {
            maps.close();
        }
        program.close();
        object.close();
        pin.close();
    }
}
