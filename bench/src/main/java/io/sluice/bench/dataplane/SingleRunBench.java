package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.TestRunResult;

/**
 * The cross-check without the wrapper: the program itself, one packet per BPF_PROG_TEST_RUN.
 * Every sample includes the kernel's clock reads and dispatch around that one run, so the
 * figures sit above the wrapped ones; the xdp_pass row shows how much of that is fixed cost.
 * Also the only way to time decap: bench_restore cannot undo a pulled head.
 */
final class SingleRunBench {
    private static final int SINGLE_RUN = 1;
    /** Untimed runs first: insert the established flow, warm caches. */
    private static final int WARMUP_RUNS = 100;

    private final int runs;

    SingleRunBench(int runs) {
        this.runs = runs;
    }

    Summary time(Scenario scenario) {
        byte[] frame = scenario.frame().bytes();
        for (int run = 0; run < WARMUP_RUNS; run++) {
            runChecked(scenario, frame);
        }
        long onPathBefore = scenario.counted() ? scenario.onPath().getAsLong() : 0;
        long[] durations = new long[runs];
        for (int run = 0; run < runs; run++) {
            durations[run] = runChecked(scenario, frame);
        }
        if (scenario.counted()) {
            long onPath = scenario.onPath().getAsLong() - onPathBefore;
            if (onPath != runs) {
                throw new IllegalStateException(scenario.path() + ", repeat=1: " + onPath + " of " + runs
                        + " runs took the path being measured");
            }
        }
        return Summary.of(durations);
    }

    private static long runChecked(Scenario scenario, byte[] frame) {
        TestRunResult result = scenario.target().testRun(frame, SINGLE_RUN);
        PathBench.requireAction(scenario.path() + ", repeat=1", scenario.expected(), result);
        return result.durationNs();
    }
}
