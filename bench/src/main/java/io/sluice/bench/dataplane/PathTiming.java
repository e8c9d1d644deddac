package io.sluice.bench.dataplane;

/**
 * The timings of one path: the wrapper with the program under test, the wrapper alone
 * (tail-calling xdp_pass) on the same frame, and the program's own cost, which is the
 * difference of the two medians.
 */
record PathTiming(String path, String verdict, Summary wrapped, Summary wrapperAlone) {

    double programMedian() {
        return wrapped.median() - wrapperAlone.median();
    }
}
