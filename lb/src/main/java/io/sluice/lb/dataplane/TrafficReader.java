package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The counters of many VIPs or backends at once, from a per-CPU stats array ({@code vip_stats},
 * {@code backend_stats}): one batch lookup per run of nearby ids instead of one lookup per id.
 * The status reads every backend's counters every second; with thousands of backends, one
 * syscall each was most of that read.
 */
final class TrafficReader {
    /**
     * Ids at most this far apart are read in one batch, with the slots between them: 64 unwanted
     * slots (4 KB on two CPUs) cost less than another syscall.
     */
    static final int RUN_GAP = 64;
    private static final int CHUNK_ENTRIES = 1024;

    private TrafficReader() {
    }

    /** Each id's counters summed over CPUs; every id must be a slot of {@code stats}. */
    static Map<Integer, TrafficCounter> read(BpfMap stats, Collection<Integer> ids) {
        int[] wanted = ids.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        if (wanted.length > 0 && (wanted[0] < 0 || wanted[wanted.length - 1] >= stats.maxEntries())) {
            throw new IllegalArgumentException("ids " + wanted[0] + " .. " + wanted[wanted.length - 1]
                    + " are not all in " + stats + " (max entries " + stats.maxEntries() + ")");
        }
        Map<Integer, TrafficCounter> counters = new HashMap<>(wanted.length * 2);
        int stride = stats.userValueSize();
        int start = 0;
        while (start < wanted.length) {
            int end = start + 1; // the run is wanted[start .. end - 1]
            while (end < wanted.length && wanted[end] - wanted[end - 1] <= RUN_GAP) {
                end++;
            }
            int first = wanted[start];
            int[] run = Arrays.copyOfRange(wanted, start, end);
            stats.scanRange(first, wanted[end - 1] - first + 1, CHUNK_ENTRIES, (keys, values, count) -> {
                ByteBuffer k = ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder());
                for (int entry = 0; entry < count; entry++) {
                    int id = k.getInt(entry * Integer.BYTES);
                    if (Arrays.binarySearch(run, id) >= 0) {
                        counters.put(id, TrafficCounter.sumPerCpu(values, entry * stride, stride));
                    }
                }
            });
            start = end;
        }
        return counters;
    }
}
