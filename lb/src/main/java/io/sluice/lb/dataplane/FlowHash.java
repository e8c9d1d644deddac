package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The flow hash the XDP program computes (bpf-xdp/include/hash.h, ABI 7): multiply-xor over the
 * five little-endian u64 words of struct sluice_flow_key (an IPv4 key: words 0, 2 and 4, the
 * others being always zero), then a 64-bit finaliser; the low 32 bits. The daemon uses it to
 * predict a flow's flow-cache bucket and Maglev slot (hash % M), so it must match the C side bit
 * for bit: the packet tests check it does, flow by flow.
 */
public final class FlowHash {
    /** SLUICE_HASH_SEED in sluice_abi.h. */
    public static final int SEED = DataplaneAbi.HASH_SEED;
    /** sizeof(struct sluice_flow_key). */
    public static final int FLOW_KEY_BYTES = FlowKey.SIZE;

    private static final int WORDS = FLOW_KEY_BYTES / Long.BYTES;
    /** An IPv4 key mixes these words only (address words 1..3 are zero). */
    private static final int[] IPV4_WORDS = {0, 2, 4};

    /**
     * Two known answers of this hash, an IPv4 and an IPv6 reference key's, as one word: equal in
     * two builds whose flow hashes agree, different (but for a 2^-64 accident) when the function,
     * its constants or its seed change. The table fingerprint includes it, because the hash picks
     * the Maglev slot: hosts with the same table but different hashes send a flow to different
     * backends.
     */
    public static final long IDENTITY = identity();

    private FlowHash() {
    }

    private static long identity() {
        byte[] v4 = referenceKey(DataplaneAbi.AF_INET);
        byte[] v6 = referenceKey(DataplaneAbi.AF_INET6);
        return (Integer.toUnsignedLong(hash(v4)) << 32) | Integer.toUnsignedLong(hash(v6));
    }

    /** Bytes 1..40 with the family set: every word non-zero, so every word's mixing counts. */
    private static byte[] referenceKey(int family) {
        byte[] key = new byte[FLOW_KEY_BYTES];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i + 1);
        }
        key[FlowKey.OFFSET_FAMILY] = (byte) family;
        return key;
    }

    /** The hash of an encoded struct sluice_flow_key (exactly 40 bytes). */
    public static int hash(byte[] flowKey40) {
        if (flowKey40.length != FLOW_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a flow key is " + FLOW_KEY_BYTES + " bytes, got " + flowKey40.length);
        }
        // The key's u64 words as the program loads them: little-endian (x86, bpfel).
        ByteBuffer words = ByteBuffer.wrap(flowKey40).order(ByteOrder.LITTLE_ENDIAN);
        long h = Integer.toUnsignedLong(SEED);
        if (flowKey40[FlowKey.OFFSET_FAMILY] == DataplaneAbi.AF_INET) {
            for (int word : IPV4_WORDS) {
                h = mix(h, words.getLong(word * Long.BYTES));
            }
        } else {
            for (int word = 0; word < WORDS; word++) {
                h = mix(h, words.getLong(word * Long.BYTES));
            }
        }
        return finish(h);
    }

    /** The hash of a flow, as the XDP program computes it for the same packet. */
    public static int hash(FlowKey key) {
        return hash(key.encode());
    }

    private static long mix(long h, long word) {
        return (h ^ word) * DataplaneAbi.FLOW_HASH_MULT;
    }

    private static int finish(long h) {
        h ^= h >>> 32;
        h *= DataplaneAbi.FLOW_HASH_FINAL_MULT;
        h ^= h >>> DataplaneAbi.FLOW_HASH_FINAL_SHIFT;
        return (int) h;
    }
}
