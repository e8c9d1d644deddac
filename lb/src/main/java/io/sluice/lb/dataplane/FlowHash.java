package io.sluice.lb.dataplane;

/**
 * The flow hash the XDP program computes: MurmurHash3_x86_32 over the 40 bytes of
 * struct sluice_flow_key, seed SLUICE_HASH_SEED. The daemon uses it to predict
 * which Maglev slot (hash % M) a flow lands in, so it must match the C side bit for bit.
 */
public final class FlowHash {
    /** SLUICE_HASH_SEED in sluice_abi.h. */
    public static final int SEED = DataplaneAbi.HASH_SEED;
    /** sizeof(struct sluice_flow_key). */
    public static final int FLOW_KEY_BYTES = FlowKey.SIZE;

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;
    private static final int R1 = 15;
    private static final int R2 = 13;
    private static final int M = 5;
    private static final int N = 0xe6546b64;
    private static final int BLOCK = Integer.BYTES;

    private FlowHash() {
    }

    /** The hash of an encoded struct sluice_flow_key (exactly 40 bytes: ten whole blocks, no tail). */
    public static int hash(byte[] flowKey40) {
        if (flowKey40.length != FLOW_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a flow key is " + FLOW_KEY_BYTES + " bytes, got " + flowKey40.length);
        }
        int h = SEED;
        for (int i = 0; i < FLOW_KEY_BYTES; i += BLOCK) {
            h = mixBlock(h, littleEndianInt(flowKey40, i));
        }
        return fmix32(h ^ FLOW_KEY_BYTES);
    }

    /** The hash of a flow, as the XDP program computes it for the same packet. */
    public static int hash(FlowKey key) {
        return hash(key.encode());
    }

    /** MurmurHash3_x86_32 of any input: the reference function, which hash(byte[]) specialises. */
    public static int murmur3x86x32(byte[] data, int seed) {
        int h = seed;
        int whole = data.length - data.length % BLOCK;
        for (int i = 0; i < whole; i += BLOCK) {
            h = mixBlock(h, littleEndianInt(data, i));
        }
        int k = 0;
        for (int i = data.length - 1; i >= whole; i--) {
            k = (k << Byte.SIZE) | (data[i] & 0xff);
        }
        if (data.length > whole) {
            h ^= mixK(k);
        }
        return fmix32(h ^ data.length);
    }

    private static int mixK(int k) {
        return Integer.rotateLeft(k * C1, R1) * C2;
    }

    private static int mixBlock(int h, int k) {
        return Integer.rotateLeft(h ^ mixK(k), R2) * M + N;
    }

    private static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int littleEndianInt(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }
}
