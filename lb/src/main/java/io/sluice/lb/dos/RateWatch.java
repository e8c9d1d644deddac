package io.sluice.lb.dos;

import io.sluice.lb.dataplane.DosSourceKey;
import io.sluice.lb.dataplane.DosSourceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns successive readings of the per-source packet counters (dos_sources) into rates. A source
 * seen for the first time, or whose counter went back (evicted from the LRU and re-created), only
 * sets a baseline: a rate needs two readings of the same counter.
 */
final class RateWatch {
    private static final double NANOS_PER_SECOND = 1e9;

    /** A source and its packets per second since the previous reading. */
    record Rate(DosSourceKey source, double packetsPerSecond) {
    }

    private Map<DosSourceKey, Long> previous = Map.of();
    private Instant previousAt;

    /** Sources above {@code threshold} packets/s, highest first. */
    List<Rate> over(Map<DosSourceKey, DosSourceState> sources, Instant now, long threshold) {
        List<Rate> result = new ArrayList<>();
        Map<DosSourceKey, Long> current = new HashMap<>(sources.size() * 2);
        sources.forEach((key, state) -> current.put(key, state.packets()));
        if (previousAt != null) {
            double seconds = Duration.between(previousAt, now).toNanos() / NANOS_PER_SECOND;
            if (seconds > 0) {
                current.forEach((key, packets) -> {
                    Long before = previous.get(key);
                    if (before != null && packets >= before) {
                        double pps = (packets - before) / seconds;
                        if (pps > threshold) {
                            result.add(new Rate(key, pps));
                        }
                    }
                });
            }
        }
        previous = current;
        previousAt = now;
        result.sort(Comparator.comparingDouble(Rate::packetsPerSecond).reversed());
        return result;
    }
}
