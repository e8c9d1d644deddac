package io.sluice.lb.dataplane;

/**
 * The constants of bpf-xdp/include/sluice_abi.h and the names the C side gives its maps
 * and programs. DataplaneAbiBtfTest keeps the struct mirrors honest; these numbers are
 * checked against the header's #defines by the same test.
 */
public final class DataplaneAbi {

    public static final int ABI_VERSION = 2;

    public static final int MAX_VIPS = 1024;
    public static final int MAX_BACKENDS = 16384;
    /** Slots per flow-cache bucket (set associativity). */
    public static final int FLOW_WAYS = 4;
    /** Default bucket count of the per-CPU flow cache (the flows map's max_entries). */
    public static final int FLOW_BUCKETS = 65536;
    /** Default flows remembered per CPU: FLOW_BUCKETS x FLOW_WAYS. */
    public static final int FLOW_TABLE_SIZE = FLOW_BUCKETS * FLOW_WAYS;
    /** The largest prime Maglev table size the data plane accepts. */
    public static final int MAGLEV_MAX_SIZE = 655373;
    /** Seed of MurmurHash3_x86_32 over the 40 bytes of a flow key. */
    public static final int HASH_SEED = 0x5a17c3e1;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** Slot 0 of an inner Maglev table holds its size M; backend ids are in slots 1..M. */
    public static final int MAGLEV_SIZE_SLOT = 0;
    public static final int MAGLEV_FIRST_SLOT = 1;

    public static final int VIP_FLAGS_NONE = 0;
    public static final int BACKEND_FLAG_IN_USE = 0x1;

    /** BPF_F_INNER_MAP: inner Maglev tables may differ in size from the template. */
    public static final int BPF_F_INNER_MAP = 1 << 12;

    // Map names (balancer.o unless noted).
    public static final String MAP_VIPS = "vips";
    public static final String MAP_BACKENDS = "backends";
    public static final String MAP_MAGLEV_TABLES = "maglev_tables";
    public static final String MAP_FLOWS = "flows";
    public static final String MAP_LB_CONFIG = "lb_config";
    public static final String MAP_VIP_STATS = "vip_stats";
    public static final String MAP_BACKEND_STATS = "backend_stats";
    public static final String MAP_REASON_STATS = "reason_stats";
    /** In decap.o. */
    public static final String MAP_DECAP_STATS = "decap_stats";

    public static final String PROG_BALANCER = "balancer";
    public static final String PROG_DECAP = "decap";

    public static final String OBJECT_BALANCER = "balancer.o";
    public static final String OBJECT_DECAP = "decap.o";

    private DataplaneAbi() {}

    /**
     * The flows map's max_entries (bucket count) for a table of at least {@code flowsPerCpu} flows
     * per CPU: the next power of two of flowsPerCpu / FLOW_WAYS (the program masks the flow hash
     * with buckets - 1). E.g. 262144 -> 65536 buckets, 100000 -> 32768 (131072 flows).
     */
    public static int flowBuckets(int flowsPerCpu) {
        if (flowsPerCpu < 1 || flowsPerCpu > MAX_FLOW_TABLE_SIZE) {
            throw new IllegalArgumentException("flow table size must be 1.." + MAX_FLOW_TABLE_SIZE + " flows, got "
                    + flowsPerCpu);
        }
        int buckets = (flowsPerCpu + FLOW_WAYS - 1) / FLOW_WAYS;
        return buckets == 1 ? 1 : Integer.highestOneBit(buckets - 1) << 1;
    }

    /** Largest flows per CPU flowBuckets accepts (2^30: the bucket count stays a positive int). */
    private static final int MAX_FLOW_TABLE_SIZE = 1 << 30;
}
