package io.sluice.lb.dataplane;

/**
 * Where each CPU's flow-cache buckets live in the flows array (sluice_abi.h): CPU c owns
 * entries {@code c * bucketsPerCpu .. (c + 1) * bucketsPerCpu - 1}, and the map's max_entries
 * is {@code bucketsPerCpu * cpus + log2(bucketsPerCpu)}: its low {@link DataplaneAbi#FLOW_LOG2_BITS}
 * bits tell the program the region size, so the map alone carries the whole geometry.
 *
 * @param bucketsPerCpu a power of two
 * @param cpus          CPUs with a region (the possible CPUs when the loader sized the map)
 */
public record FlowCacheLayout(int bucketsPerCpu, int cpus) {

    public FlowCacheLayout {
        if (bucketsPerCpu < 1 || Integer.bitCount(bucketsPerCpu) != 1 || cpus < 1) {
            throw new IllegalArgumentException("flow cache needs a power-of-two bucket count and CPUs >= 1, got "
                    + bucketsPerCpu + " x " + cpus);
        }
    }

    /**
     * The layout for at least {@code flowsPerCpu} flows on each of {@code cpus} CPUs: the next
     * power of two of flowsPerCpu / FLOW_WAYS buckets, at least FLOW_MIN_BUCKETS (keeps the low
     * bits of max_entries free for log2 of the bucket count).
     */
    public static FlowCacheLayout forFlows(int flowsPerCpu, int cpus) {
        if (flowsPerCpu < 1) {
            throw new IllegalArgumentException("flow table size must be at least 1 flow, got " + flowsPerCpu);
        }
        int buckets = (flowsPerCpu + DataplaneAbi.FLOW_WAYS - 1) / DataplaneAbi.FLOW_WAYS;
        int powerOfTwo = buckets == 1 ? 1 : Integer.highestOneBit(buckets - 1) << 1;
        return new FlowCacheLayout(Math.max(DataplaneAbi.FLOW_MIN_BUCKETS, powerOfTwo), cpus);
    }

    /** The layout a flows map of {@code maxEntries} entries has (what the program derives from it). */
    public static FlowCacheLayout ofMaxEntries(int maxEntries) {
        int log2 = maxEntries & DataplaneAbi.FLOW_LOG2_MASK;
        int buckets = 1 << log2;
        return new FlowCacheLayout(buckets, (maxEntries - log2) / buckets);
    }

    /** The flows map's max_entries; IllegalArgumentException when the table would not fit a u32 index. */
    public int maxEntries() {
        long entries = (long) bucketsPerCpu * cpus + log2Buckets();
        if (entries > Integer.MAX_VALUE || (bucketsPerCpu > 1 && bucketsPerCpu < DataplaneAbi.FLOW_MIN_BUCKETS)) {
            throw new IllegalArgumentException("flow cache of " + bucketsPerCpu + " buckets x " + cpus
                    + " CPUs cannot be described by one map size");
        }
        return (int) entries;
    }

    /** The bucket the program uses for a flow hash (same on every CPU). */
    public int bucketOf(int flowHash) {
        return flowHash & (bucketsPerCpu - 1);
    }

    /** The array index of {@code bucket} in {@code cpu}'s region. */
    public int index(int cpu, int bucket) {
        if (cpu < 0 || cpu >= cpus || bucket < 0 || bucket >= bucketsPerCpu) {
            throw new IllegalArgumentException("no flow bucket " + bucket + " on CPU " + cpu + " in " + this);
        }
        return cpu * bucketsPerCpu + bucket;
    }

    private int log2Buckets() {
        return Integer.numberOfTrailingZeros(bucketsPerCpu);
    }
}
