package io.sluice.lb.dos;

import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.LpmPrefix;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * The IPv4 allow-list pre-filter bitmap: one bit per /24, set when some allow prefix covers part of
 * that /24. The program looks at the allow trie only when the bit is set, so clean traffic from
 * ranges no rule touches never pays for a trie walk. (The deny list has its own /24 array: Deny24.)
 */
public final class Prefilter {

    private static final int SLASH24_SHIFT = 8;
    private static final int SLASH24 = 24;

    private Prefilter() {}

    /** The bitmap words (DOS_PREFILTER_WORDS of them) for the IPv4 prefixes among {@code prefixes}. */
    public static long[] of(Collection<LpmPrefix> prefixes) {
        long[] words = new long[DosAbi.DOS_PREFILTER_WORDS];
        for (LpmPrefix p : prefixes) {
            if (!p.isIpv4()) {
                continue;
            }
            long first = Integer.toUnsignedLong(ByteBuffer.wrap(p.network().getAddress()).getInt()) >>> SLASH24_SHIFT;
            long count = p.length() >= SLASH24 ? 1 : 1L << (SLASH24 - p.length());
            if (count >= Long.SIZE) { // whole words (first is then word-aligned)
                java.util.Arrays.fill(words, (int) (first >>> 6), (int) ((first + count) >>> 6), -1L);
                continue;
            }
            for (long s = first; s < first + count; s++) {
                words[(int) (s >>> 6)] |= 1L << (s & 63);
            }
        }
        return words;
    }
}
