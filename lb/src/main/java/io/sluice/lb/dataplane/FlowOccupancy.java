package io.sluice.lb.dataplane;

import java.util.EnumMap;
import java.util.Map;

/**
 * One flow table's occupancy for the {@code flow_table_flows} gauge, read one segment of the table
 * per call instead of the whole table: even through the table's mapping (no syscall, no copy), a
 * whole read touches every cache line of it (by default 8 MB for IPv4, 26 MB for IPv6 on two
 * CPUs), which would push the data plane's own lines out of the CPU's caches every second; a
 * segment touches a 32nd of that. The
 * figure is the sum of each segment's latest count, so it is never older than one sweep of
 * {@code segments} calls. The first call, and the first after the table's size changed, reads
 * every segment: the gauge never reports a partly read table. One owner thread (the daemon's
 * event loop); not thread-safe.
 */
public final class FlowOccupancy {
    /** Where the counts come from: DataplaneMaps in the daemon. */
    public interface Source {
        int buckets();

        long occupied(int firstBucket, int buckets);
    }

    private final int segments;
    private final long[] counts;
    private int buckets = -1;
    private int next;

    public FlowOccupancy(int segments) {
        if (segments < 1) {
            throw new IllegalArgumentException("flow occupancy needs at least one segment, got " + segments);
        }
        this.segments = segments;
        this.counts = new long[segments];
    }

    /** One occupancy per flow table, in FlowFamily order. */
    public static Map<FlowFamily, FlowOccupancy> perFamily(int segments) {
        Map<FlowFamily, FlowOccupancy> occupancies = new EnumMap<>(FlowFamily.class);
        for (FlowFamily family : FlowFamily.values()) {
            occupancies.put(family, new FlowOccupancy(segments));
        }
        return occupancies;
    }

    /** The table of {@code family} in the daemon's maps. */
    public static Source of(DataplaneMaps maps, FlowFamily family) {
        return new Source() {
            @Override
            public int buckets() {
                return maps.flowBucketCount();
            }

            @Override
            public long occupied(int firstBucket, int count) {
                return maps.flowCount(family, firstBucket, count);
            }
        };
    }

    /** Reads the next segment (every segment the first time) and returns the occupied slots. */
    public long refresh(Source source) {
        int now = source.buckets();
        if (now != buckets) {
            buckets = now;
            for (int segment = 0; segment < segments; segment++) {
                counts[segment] = read(source, segment);
            }
            next = 0;
        } else {
            counts[next] = read(source, next);
            next = (next + 1) % segments;
        }
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    /** Segment {@code segment}'s buckets: equal shares, the last one taking the remainder. */
    private long read(Source source, int segment) {
        int per = buckets / segments;
        int first = segment * per;
        int count = segment == segments - 1 ? buckets - first : per;
        return count == 0 ? 0 : source.occupied(first, count);
    }
}
