package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.XdpAction;
import java.util.function.LongSupplier;

/**
 * One data-plane path to time: the frame the wrapper restores each iteration, the program
 * it tail-calls, the verdict that path ends in, and a counter of the packets that took it
 * (the flow-hit counter for an established flow, ...): a run whose packets did not all take
 * the path is not a measurement of it. {@code headBaseline} (or null) moves the head as the
 * program does (see RestoreWrapper), {@code warmupRepeat} iterations run before timing.
 */
record Scenario(String path, BenchFrame frame, BpfProgram target, XdpAction expected, LongSupplier onPath,
                BpfProgram headBaseline, int warmupRepeat, Runnable setup) {

    /** Enough to insert the established flow and warm caches and branch predictors. */
    static final int DEFAULT_WARMUP_REPEAT = 10_000;

    Scenario(String path, BenchFrame frame, BpfProgram target, XdpAction expected, LongSupplier onPath) {
        this(path, frame, target, expected, onPath, null, DEFAULT_WARMUP_REPEAT, null);
    }

    /** For a program with a single path (xdp_pass): its verdict is proof enough. */
    static Scenario verdictOnly(String path, BenchFrame frame, BpfProgram target, XdpAction expected) {
        return new Scenario(path, frame, target, expected, null);
    }

    Scenario withHeadBaseline(BpfProgram baseline) {
        return new Scenario(path, frame, target, expected, onPath, baseline, warmupRepeat, setup);
    }

    Scenario withWarmup(int repeat) {
        return new Scenario(path, frame, target, expected, onPath, headBaseline, repeat, setup);
    }

    /** Runs right before the path's warm-up: a state the earlier paths may have overwritten (a flow-cache entry). */
    Scenario withSetup(Runnable before) {
        return new Scenario(path, frame, target, expected, onPath, headBaseline, warmupRepeat, before);
    }

    boolean counted() {
        return onPath != null;
    }
}
