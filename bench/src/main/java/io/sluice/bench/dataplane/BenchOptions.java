package io.sluice.bench.dataplane;

import io.sluice.lb.config.ConfigLimits;

/**
 * Command line: {@code --runs N} test runs per path, {@code --repeat N} iterations per run,
 * {@code --single-runs N} repeat=1 runs for the cross-check (0: none), {@code --xdp-filter-prog ID} an attached
 * xdp-filter program to time on the DoS stage's deny-list packet (0 = none; bench/dataplane.sh sets it up),
 * {@code --dos 0} to leave out the DoS section (loading its 200,000 prefixes takes most of a quick run),
 * {@code --flow-table-size N} flows per CPU in the flow cache (the config's flow_table_size; default the
 * production default): how much a new flow's cost owes to the table's size; {@code --only TEXT} times only
 * the wrapped paths whose name contains TEXT (no single-run or DoS sections): one path under a profiler, or
 * quicker before/after pairs.
 */
record BenchOptions(int runs, int repeat, int singleRuns, int xdpFilterProgramId, boolean dos, int flowTableSize,
                    String only) {
    static final int DEFAULT_RUNS = 7;
    static final int DEFAULT_REPEAT = 1_000_000;
    static final int DEFAULT_SINGLE_RUNS = 20_000;
    /** The kernel reports duration as a u32 mean; it also caps how long one run may take. */
    static final int MAX_REPEAT = 10_000_000;

    BenchOptions {
        require(runs, 1, "--runs");
        require(repeat, 1, "--repeat");
        require(singleRuns, 0, "--single-runs");
        require(xdpFilterProgramId, 0, "--xdp-filter-prog");
        require(flowTableSize, ConfigLimits.MIN_FLOW_TABLE_SIZE, "--flow-table-size");
        if (flowTableSize > ConfigLimits.MAX_FLOW_TABLE_SIZE) {
            throw new IllegalArgumentException("--flow-table-size at most " + ConfigLimits.MAX_FLOW_TABLE_SIZE);
        }
        if (only != null && only.isBlank()) {
            throw new IllegalArgumentException("--only needs the text of a path name");
        }
        if (repeat > MAX_REPEAT) {
            throw new IllegalArgumentException("--repeat at most " + MAX_REPEAT);
        }
    }

    static BenchOptions parse(String[] args) {
        int runs = DEFAULT_RUNS;
        int repeat = DEFAULT_REPEAT;
        int singleRuns = DEFAULT_SINGLE_RUNS;
        int xdpFilter = 0;
        int dos = 1;
        int flowTableSize = ConfigLimits.DEFAULT_FLOW_TABLE_SIZE;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (name.equals("--only")) {
                only = args[++i];
                continue;
            }
            int value = Integer.parseInt(args[++i].replace("_", ""));
            switch (name) {
                case "--runs" -> runs = value;
                case "--repeat" -> repeat = value;
                case "--single-runs" -> singleRuns = value;
                case "--xdp-filter-prog" -> xdpFilter = value;
                case "--dos" -> dos = value;
                case "--flow-table-size" -> flowTableSize = value;
                default -> throw new IllegalArgumentException("unknown option " + name
                        + " (known: --runs, --repeat, --single-runs, --xdp-filter-prog, --dos, --flow-table-size, --only)");
            }
        }
        if (dos != 0 && dos != 1) {
            throw new IllegalArgumentException("--dos is 0 or 1, got " + dos);
        }
        return new BenchOptions(runs, repeat, singleRuns, xdpFilter, dos == 1, flowTableSize, only);
    }

    /** Whether the options time this wrapped path. */
    boolean times(String path) {
        return only == null || path.contains(only);
    }

    /** The single-run and DoS sections: only in a whole run. */
    boolean wholeRun() {
        return only == null;
    }

    private static void require(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
