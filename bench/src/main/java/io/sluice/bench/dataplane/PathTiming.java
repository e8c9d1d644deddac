package io.sluice.bench.dataplane;

/**
 * The timings of one path: the wrapper with the program under test, the wrapper alone
 * (tail-calling xdp_pass) on the same frame, and, for paths that move the head, the wrapper
 * with a head-matched baseline (null otherwise).
 *
 * <p>{@link #programMedian} is the plain difference: it also counts the wrapper's restoring
 * bpf_xdp_adjust_head as the program's. {@link #restoreExcludedMedian} removes that one call:
 * the head-matched baseline costs the wrapper alone plus two head moves (its own and the
 * restore's, the same helper by the same amount), so one move is half their difference.
 */
record PathTiming(String path, String verdict, Summary wrapped, Summary wrapperAlone, Summary headMatched) {

    double programMedian() {
        return wrapped.median() - wrapperAlone.median();
    }

    boolean movesHead() {
        return headMatched != null;
    }

    double restoreExcludedMedian() {
        if (!movesHead()) {
            return programMedian();
        }
        return wrapped.median() - (wrapperAlone.median() + headMatched.median()) / 2;
    }
}
