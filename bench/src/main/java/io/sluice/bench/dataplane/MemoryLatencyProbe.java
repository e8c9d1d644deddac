package io.sluice.bench.dataplane;

import java.util.SplittableRandom;

/**
 * How long one load takes that depends on the one before it, at a random cache line of a region
 * of a given size, measured from user space on the benchmark's CPU. A new flow's first look at
 * its bucket is such a load (a random line of the flow table, nothing before it predicts
 * where), so next to the new-flow rows this says how much of their cost is the machine's
 * memory, not the program. The region is an ordinary Java array (4 KB pages unless
 * transparent huge pages are set to always, like the kernel's vmalloc'd maps); the lines are
 * put in a random order and each points at the next in that order, the last at the first: one
 * cycle through every line, each load's address the value the previous load returned, which no
 * prefetcher can guess.
 */
final class MemoryLatencyProbe {
    private static final int LINE_BYTES = 64;
    private static final int INTS_PER_LINE = LINE_BYTES / Integer.BYTES;
    /** Loads per run: enough to visit a 26 MB region's 400,000 lines several times. */
    private static final int LOADS_PER_RUN = 2_000_000;
    private static final long SEED = 0x5a17c3e1L;

    private final int[] region;
    private int position;

    MemoryLatencyProbe(long regionBytes) {
        long lines = regionBytes / LINE_BYTES;
        if (lines < 2 || lines * INTS_PER_LINE > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("region of " + regionBytes + " bytes: 128 B .. 8 GB");
        }
        region = new int[Math.toIntExact(lines * INTS_PER_LINE)];
        linkOneRandomCycle((int) lines);
    }

    /** Each line's first int holds the index of the next line's first int, one cycle through all lines. */
    private void linkOneRandomCycle(int lines) {
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = lines - 1; i > 0; i--) {   // Fisher-Yates
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        for (int i = 0; i < lines; i++) {
            region[order[i] * INTS_PER_LINE] = order[(i + 1) % lines] * INTS_PER_LINE;
        }
    }

    /** Mean ns per dependent load, one value per run (the first run, a warm-up, not counted). */
    Summary measure(int runs) {
        chase(LOADS_PER_RUN);
        double[] means = new double[runs];
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            chase(LOADS_PER_RUN);
            means[run] = (double) (System.nanoTime() - start) / LOADS_PER_RUN;
        }
        return Summary.of(means);
    }

    /**
     * The lines one walk from line 0 visits before it is back there, each counted once; -1 if
     * the walk meets a line twice or an index that is not a line's start (a broken cycle, which
     * would time a few cached lines instead of the region).
     */
    int linesInCycle() {
        boolean[] seen = new boolean[region.length / INTS_PER_LINE];
        int p = 0;
        int visited = 0;
        do {
            if (p % INTS_PER_LINE != 0 || seen[p / INTS_PER_LINE]) {
                return -1;
            }
            seen[p / INTS_PER_LINE] = true;
            visited++;
            p = region[p];
        } while (p != 0);
        return visited;
    }

    private void chase(int loads) {
        int p = position;
        for (int i = 0; i < loads; i++) {
            p = region[p];
        }
        position = p;   // kept, so the loop is not dead code
    }
}
