package io.sluice.lb.maglev;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012) with a 128-bit key, 64-bit output.
 *
 * <p>Chosen for identity hashing because it is fully specified, has published test
 * vectors and gives the same answer on every host and JVM, unlike String.hashCode
 * or anything seeded per process.
 */
public final class SipHash24 {
    private static final long INIT_V0 = 0x736f6d6570736575L;
    private static final long INIT_V1 = 0x646f72616e646f6dL;
    private static final long INIT_V2 = 0x6c7967656e657261L;
    private static final long INIT_V3 = 0x7465646279746573L;
    private static final int BLOCK_BYTES = Long.BYTES;
    private static final int LENGTH_SHIFT = 56;
    private static final long FINAL_XOR = 0xffL;

    private final long k0;
    private final long k1;

    /** k0 and k1 are the two little-endian halves of the 16-byte key. */
    public SipHash24(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    public long hash(byte[] data) {
        State s = new State(k0, k1);
        int whole = data.length - data.length % BLOCK_BYTES;
        for (int i = 0; i < whole; i += BLOCK_BYTES) {
            s.compress(littleEndianLong(data, i, BLOCK_BYTES));
        }
        long last = littleEndianLong(data, whole, data.length - whole);
        return s.finish(last | ((long) data.length << LENGTH_SHIFT));
    }

    /** Starts hashing a message given as a sequence of 64-bit words (each taken as 8 little-endian bytes). */
    public WordStream wordStream() {
        return new WordStream(new State(k0, k1));
    }

    /**
     * Hashes a sequence of 64-bit words without building a byte array; equal to
     * {@link #hash(byte[])} of the words laid out little-endian.
     */
    public static final class WordStream {
        private final State state;
        private long words;

        private WordStream(State state) {
            this.state = state;
        }

        public WordStream add(long word) {
            state.compress(word);
            words++;
            return this;
        }

        public long finish() {
            return state.finish((words * BLOCK_BYTES) << LENGTH_SHIFT);
        }
    }

    private static long littleEndianLong(byte[] data, int from, int count) {
        long v = 0;
        for (int i = count - 1; i >= 0; i--) {
            v = (v << Byte.SIZE) | (data[from + i] & 0xffL);
        }
        return v;
    }

    private static final class State {
        private long v0;
        private long v1;
        private long v2;
        private long v3;

        State(long k0, long k1) {
            v0 = k0 ^ INIT_V0;
            v1 = k1 ^ INIT_V1;
            v2 = k0 ^ INIT_V2;
            v3 = k1 ^ INIT_V3;
        }

        void compress(long m) {
            v3 ^= m;
            round();
            round();
            v0 ^= m;
        }

        long finish(long lastBlock) {
            compress(lastBlock);
            v2 ^= FINAL_XOR;
            round();
            round();
            round();
            round();
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private void round() {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
    }
}
