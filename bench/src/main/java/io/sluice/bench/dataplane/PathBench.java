package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;

/**
 * Times one {@link Scenario} through bench_restore. Each run of the program is paired with
 * a run of the wrapper alone on the same frame, interleaved, so drift (frequency, noisy
 * neighbours) hits both sides alike.
 */
final class PathBench {
    private final RestoreWrapper wrapper;
    private final BenchOptions options;

    PathBench(RestoreWrapper wrapper, BenchOptions options) {
        this.wrapper = wrapper;
        this.options = options;
    }

    PathTiming time(Scenario scenario) {
        if (!scenario.counted()) {
            throw new IllegalArgumentException(scenario.path() + ": a wrapped path needs a path counter");
        }
        BenchFrame frame = scenario.frame();
        if (scenario.setup() != null) {
            scenario.setup().run();
        }
        wrapper.load(frame);
        runChecked(scenario, scenario.warmupRepeat());
        wrapperAlone(frame, Scenario.DEFAULT_WARMUP_REPEAT);
        boolean matched = scenario.headBaseline() != null;
        if (matched) {
            baseline(scenario.headBaseline(), frame, Scenario.DEFAULT_WARMUP_REPEAT);
        }

        long onPathBefore = scenario.onPath().getAsLong();
        double[] wrapped = new double[options.runs()];
        double[] alone = new double[options.runs()];
        double[] headMatched = new double[options.runs()];
        for (int run = 0; run < options.runs(); run++) {
            alone[run] = wrapperAlone(frame, options.repeat());
            if (matched) {
                headMatched[run] = baseline(scenario.headBaseline(), frame, options.repeat());
            }
            wrapped[run] = runChecked(scenario, options.repeat());
        }
        long onPath = scenario.onPath().getAsLong() - onPathBefore;
        requireOnPath(scenario, onPath);
        return new PathTiming(scenario.path(), scenario.expected().name(), Summary.of(wrapped), Summary.of(alone),
                matched ? Summary.of(headMatched) : null);
    }

    private double runChecked(Scenario scenario, int repeat) {
        wrapper.target(scenario.target());
        TestRunResult result = wrapper.run(scenario.frame(), repeat);
        requireAction(scenario.path(), scenario.expected(), result);
        return result.durationNs();
    }

    private double wrapperAlone(BenchFrame frame, int repeat) {
        return baseline(wrapper.passThrough(), frame, repeat);
    }

    private double baseline(BpfProgram target, BenchFrame frame, int repeat) {
        wrapper.target(target);
        TestRunResult result = wrapper.run(frame, repeat);
        requireAction("wrapper -> " + target.name(), XdpAction.PASS, result);
        return result.durationNs();
    }

    static void requireAction(String path, XdpAction expected, TestRunResult result) {
        if (result.action() != expected) {
            throw new IllegalStateException(path + ": expected " + expected + ", the program returned "
                    + result.action() + " (retval " + result.retval() + ")");
        }
    }

    /**
     * Every timed iteration must have taken the path. Slack of one packet per run: if the
     * thread moved CPU between runs, the per-CPU state (flow cache, iteration counter) starts over there.
     */
    private void requireOnPath(Scenario scenario, long onPath) {
        long expected = (long) options.runs() * options.repeat();
        if (onPath < expected - options.runs() || onPath > expected) {
            throw new IllegalStateException(scenario.path() + ": " + onPath + " of " + expected
                    + " iterations took the path being measured (pin the process to one CPU with taskset)");
        }
    }
}
