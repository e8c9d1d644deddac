package io.sluice.bench.dataplane;

import java.util.Arrays;

/** Min, median and max of a set of per-run means (ns per packet). */
record Summary(double min, double median, double max) {

    static Summary of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(sorted[0], median, sorted[sorted.length - 1]);
    }

    static Summary of(long[] samples) {
        return of(Arrays.stream(samples).asDoubleStream().toArray());
    }

    String format() {
        return String.format("%.1f / %.1f / %.1f", min, median, max);
    }
}
