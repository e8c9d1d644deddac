package io.sluice.bench.dataplane;

/**
 * A pristine frame for bench_restore, with where the wrapper may write a per-iteration
 * counter to make every iteration a new flow (offset {@link #NO_REWRITE} = leave as is).
 */
public record BenchFrame(byte[] bytes, int sourcePortOffset, int sourceTailOffset) {

    /** Offset 0 is the Ethernet header, never a port: bench_restore reads it as "do not rewrite". */
    public static final int NO_REWRITE = 0;

    public BenchFrame {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The same flow on every iteration (established flow, pass and decap paths). */
    public BenchFrame sameFlow() {
        return new BenchFrame(bytes, NO_REWRITE, NO_REWRITE);
    }

    public boolean rewritesFlow() {
        return sourcePortOffset != NO_REWRITE;
    }
}
