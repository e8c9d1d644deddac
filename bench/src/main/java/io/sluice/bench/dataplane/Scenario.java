package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.XdpAction;
import java.util.function.LongSupplier;

/**
 * One data-plane path to time: the frame the wrapper restores each iteration, the program
 * it tail-calls, the verdict that path ends in, and a counter of the packets that took it
 * (the flow-hit counter for an established flow, ...): a run whose packets did not all take
 * the path is not a measurement of it.
 */
record Scenario(String path, BenchFrame frame, BpfProgram target, XdpAction expected, LongSupplier onPath) {

    /** For a program with a single path (xdp_pass): its verdict is proof enough. */
    static Scenario verdictOnly(String path, BenchFrame frame, BpfProgram target, XdpAction expected) {
        return new Scenario(path, frame, target, expected, null);
    }

    boolean counted() {
        return onPath != null;
    }
}
