package io.sluice.bench.dataplane;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Prints the timings as the markdown tables docs/BENCHMARKS.md quotes. */
final class MarkdownReport {
    private final PrintStream out;

    MarkdownReport(PrintStream out) {
        this.out = out;
    }

    void wrapped(BenchOptions options, Summary wrapperAlone, List<PathTiming> timings) {
        out.printf("Through bench_restore: %d runs x %,d repeats per path; ns/packet, kernel's mean per run.%n%n",
                options.runs(), options.repeat());
        out.println("| path | verdict | wrapper + program min / median / max | wrapper alone (median) "
                + "| wrapper + head move (median) | program, restore counted (median difference) "
                + "| **program, wrapper's restore excluded** |");
        out.println("| --- | --- | --- | --- | --- | --- | --- |");
        out.printf("| wrapper alone (bench_restore -> xdp_pass), IPv4 TCP | PASS | %s | - | - | - | - |%n",
                wrapperAlone.format());
        for (PathTiming t : timings) {
            out.printf("| %s | %s | %s | %.1f | %s | %.1f | **%.1f** |%n", t.path(), t.verdict(),
                    t.wrapped().format(), t.wrapperAlone().median(),
                    t.movesHead() ? String.format("%.1f", t.headMatched().median()) : "-", t.programMedian(),
                    t.restoreExcludedMedian());
        }
        out.println();
    }

    void flowCacheOccupancy(long occupied, long slots) {
        out.printf("IPv4 flow table after the new-flow row: %,d of %,d slots occupied: "
                + "full means every timed insert evicted.%n%n", occupied, slots);
    }

    void memoryLatency(String family, long tableBytes, Summary table, long cachedBytes, Summary cached) {
        out.printf("This CPU's memory, for the %s new-flow rows (user space, one load that depends on the one before, "
                + "at a random cache line): of a region the %s flow table's size (%.1f MB) %s ns; of %d KB (in the "
                + "CPU's cache) %s ns (min / median / max of the runs).%n%n", family, family, tableBytes / 1e6,
                table.format(), cachedBytes / 1024, cached.format());
    }

    void singleRuns(int runs, List<Map.Entry<String, Summary>> rows) {
        out.printf("Without the wrapper: %,d runs of repeat=1 per path (each sample includes the kernel's "
                + "clock reads and dispatch around one run).%n%n", runs);
        out.println("| path, repeat=1 | min / median / max ns |");
        out.println("| --- | --- |");
        for (Map.Entry<String, Summary> row : rows) {
            out.printf("| %s | %s |%n", row.getKey(), row.getValue().format());
        }
        out.println();
    }
}
