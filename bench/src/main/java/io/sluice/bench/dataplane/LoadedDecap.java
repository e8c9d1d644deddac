package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DecapReason;

/** decap.o loaded, with its per-CPU reason counters readable (to prove the path taken). */
final class LoadedDecap implements AutoCloseable {
    private final BpfObject object;
    private final BpfProgram program;
    private final BpfMap stats;

    LoadedDecap() {
        object = BpfObject.open(BpfObjectFiles.decap()).load();
        program = object.program(DataplaneAbi.PROG_DECAP);
        stats = object.map(DataplaneAbi.MAP_DECAP_STATS);
    }

    BpfProgram program() {
        return program;
    }

    /** Packets counted under {@code reason}, summed over CPUs. */
    long count(DecapReason reason) {
        return stats.sumPerCpuCounter(reason.value());
    }

    @Override
    public void close() {
        stats.close();
        program.close();
        object.close();
    }
}
