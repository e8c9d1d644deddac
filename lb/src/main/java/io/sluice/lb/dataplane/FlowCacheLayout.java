package io.sluice.lb.dataplane;

/**
 * The flows array's geometry (sluice_abi.h): one table of {@code buckets} buckets shared by
 * every CPU, the bucket of a flow is {@code flow hash & (buckets - 1)}, and the map's
 * max_entries is {@code buckets + log2(buckets)}: its low {@link DataplaneAbi#FLOW_LOG2_BITS}
 * bits tell the program the bucket count, so the map alone carries the whole geometry.
 *
 * @param buckets a power of two (at least {@link DataplaneAbi#FLOW_MIN_BUCKETS} for a map the loader
 *                sizes; a map created with a raw size reads as the one bucket the program then uses)
 */
public record FlowCacheLayout(int buckets) {

    /** The map index must stay a u32 the verifier bounds easily, and max_entries an int. */
    private static final int MAX_BUCKETS = 1 << 28;

    public FlowCacheLayout {
        if (buckets < 1 || buckets > MAX_BUCKETS || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("flow cache needs a power-of-two bucket count up to " + MAX_BUCKETS
                    + ", got " + buckets);
        }
    }

    /**
     * The layout for at least {@code flows} flows: the next power of two of flows / FLOW_WAYS
     * buckets, at least FLOW_MIN_BUCKETS (keeps the low bits of max_entries free for log2 of the
     * bucket count).
     */
    public static FlowCacheLayout forFlows(long flows) {
        if (flows < 1 || flows > (long) MAX_BUCKETS * DataplaneAbi.FLOW_WAYS) {
            throw new IllegalArgumentException("flow table size must be 1.." + (long) MAX_BUCKETS
                    * DataplaneAbi.FLOW_WAYS + " flows, got " + flows);
        }
        long buckets = (flows + DataplaneAbi.FLOW_WAYS - 1) / DataplaneAbi.FLOW_WAYS;
        long powerOfTwo = buckets == 1 ? 1 : Long.highestOneBit(buckets - 1) << 1;
        return new FlowCacheLayout((int) Math.max(DataplaneAbi.FLOW_MIN_BUCKETS, powerOfTwo));
    }

    /** The layout a flows map of {@code maxEntries} entries has (what the program derives from it). */
    public static FlowCacheLayout ofMaxEntries(int maxEntries) {
        return new FlowCacheLayout(1 << (maxEntries & DataplaneAbi.FLOW_LOG2_MASK));
    }

    /** The flows map's max_entries; IllegalStateException below FLOW_MIN_BUCKETS (log2 would clash with the count). */
    public int maxEntries() {
        if (buckets < DataplaneAbi.FLOW_MIN_BUCKETS) {
            throw new IllegalStateException(buckets + " buckets cannot be described by one map size");
        }
        return buckets + Integer.numberOfTrailingZeros(buckets);
    }

    /** Flows the table holds: buckets x ways. */
    public long slots() {
        return (long) buckets * DataplaneAbi.FLOW_WAYS;
    }

    /** The bucket (= the array index) the program uses for a flow hash. */
    public int bucketOf(int flowHash) {
        return flowHash & (buckets - 1);
    }
}
