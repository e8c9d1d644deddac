package io.sluice.lb.dos;

import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.LpmPrefix;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The contents of dos_deny24 for a set of IPv4 deny entries (prefix -> hit-counter id), computed one
 * /8 chunk (65,536 entries) at a time so neither side of a diff ever holds the whole 64 MiB array.
 * Per /24: 0 = no entry touches it; id + 1 of the longest entry of length <= 24 covering it;
 * DOS_DENY24_LPM where an entry longer than /24 lies inside (the trie decides there).
 */
public final class Deny24 {
    static final int CHUNKS = 256;
    static final int CHUNK_ENTRIES = DosAbi.DOS_DENY24_ENTRIES / CHUNKS;
    private static final int SLASH8 = 8;
    private static final int SLASH24 = 24;

    private record Entry(long first, long count, int value, int length) {
    }

    /** Entries shorter than /8: they span several chunks. */
    private final List<Entry> wide = new ArrayList<>();
    private final List<List<Entry>> byChunk = new ArrayList<>(CHUNKS);

    public Deny24(Map<LpmPrefix, Integer> ids) {
        for (int c = 0; c < CHUNKS; c++) {
            byChunk.add(new ArrayList<>());
        }
        ids.forEach((p, id) -> {
            if (!p.isIpv4()) {
                return;
            }
            long slash24 = Integer.toUnsignedLong(ByteBuffer.wrap(p.network().getAddress()).getInt()) >>> 8;
            Entry e = p.length() > SLASH24 ? new Entry(slash24, 1, DosAbi.DOS_DENY24_LPM, p.length())
                    : new Entry(slash24, 1L << (SLASH24 - p.length()), id + 1, p.length());
            (p.length() < SLASH8 ? wide : byChunk.get((int) (slash24 / CHUNK_ENTRIES))).add(e);
        });
        Comparator<Entry> shortestFirst = Comparator.comparingInt(Entry::length);
        wide.sort(shortestFirst);
        byChunk.forEach(list -> list.sort(shortestFirst));
    }

    /** False when no entry touches the chunk (it is all zero). */
    boolean touches(int chunk) {
        return !wide.isEmpty() || !byChunk.get(chunk).isEmpty();
    }

    /** Writes every non-zero entry for {@code ids} into a fresh (all-zero) dos_deny24: for tests and benchmarks. */
    public static void writeFresh(io.sluice.lb.dataplane.DosMaps maps, Map<LpmPrefix, Integer> ids) {
        Deny24 table = new Deny24(ids);
        int[] indexes = new int[CHUNK_ENTRIES];
        int[] values = new int[CHUNK_ENTRIES];
        for (int chunk = 0; chunk < CHUNKS; chunk++) {
            int[] want = table.chunk(chunk);
            int n = 0;
            for (int i = 0; i < want.length; i++) {
                if (want[i] != 0) {
                    indexes[n] = chunk * CHUNK_ENTRIES + i;
                    values[n++] = want[i];
                }
            }
            if (n > 0) {
                maps.writeDeny24(indexes, values, n);
            }
        }
    }

    /** The values of /24 indexes chunk * CHUNK_ENTRIES .. + CHUNK_ENTRIES - 1. */
    int[] chunk(int chunk) {
        int[] values = new int[CHUNK_ENTRIES];
        long base = (long) chunk * CHUNK_ENTRIES;
        for (List<Entry> list : List.of(wide, byChunk.get(chunk))) {
            for (Entry e : list) { // shortest first: longer prefixes overwrite, the longest match wins
                long from = Math.max(e.first, base);
                long to = Math.min(e.first + e.count, base + CHUNK_ENTRIES);
                if (from < to) {
                    java.util.Arrays.fill(values, (int) (from - base), (int) (to - base), e.value);
                }
            }
        }
        return values;
    }
}
