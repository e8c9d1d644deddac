package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.MappedArray;
import java.util.List;

/**
 * The constants of bpf-xdp/include/sluice_abi.h and the names the C side gives its maps
 * and programs. DataplaneAbiBtfTest keeps the struct mirrors honest; these numbers are
 * checked against the header's #defines by the same test.
 */
public final class DataplaneAbi {

    public static final int ABI_VERSION = 11;

    public static final int MAX_VIPS = 1024;
    public static final int MAX_BACKENDS = 16384;
    /** The VIP table (VipTable): buckets, slots per bucket, and its hash's multiplier. */
    public static final int VIP_BUCKETS = 1024;
    public static final int VIP_WAYS = 4;
    public static final int VIP_HASH_MULT = 0x9e3779b1;
    /** Slots per flow-cache bucket (set associativity). */
    public static final int FLOW_WAYS = 4;
    /** Buckets of the flow cache in the object file (the loader sizes the map for the host). */
    public static final int FLOW_BUCKETS = 65536;
    public static final int FLOW_BUCKETS_LOG2 = 16;
    /** Flows the object file's flow cache holds: FLOW_BUCKETS x FLOW_WAYS. */
    public static final int FLOW_TABLE_SIZE = FLOW_BUCKETS * FLOW_WAYS;
    /** The low bits of the flows map's max_entries that hold log2(buckets): see FlowCacheLayout. */
    public static final int FLOW_LOG2_BITS = 5;
    public static final int FLOW_LOG2_MASK = (1 << FLOW_LOG2_BITS) - 1;
    /** Fewest buckets: the bucket count is then a multiple of 2^FLOW_LOG2_BITS. */
    public static final int FLOW_MIN_BUCKETS = 1 << FLOW_LOG2_BITS;
    /** Each flow map's max_entries in the object file: FLOW_BUCKETS + log2 (the loader resizes it). */
    public static final int FLOW_MAP_ENTRIES = FLOW_BUCKETS + FLOW_BUCKETS_LOG2;
    /** The flow maps' flags: BPF_F_MMAPABLE, so the daemon reads them through a mapping ({@link FlowCache}). */
    public static final int FLOW_MAP_FLAGS = MappedArray.F_MMAPABLE;
    /** A flow key's vip_tag: the VIP's id with this bit set; 0 marks an empty way (ABI 9, IPv6 since ABI 10). */
    public static final int FLOW_TAG_IN_USE = 0x8000;
    public static final int FLOW_TAG_VIP_MASK = 0x7fff;
    /**
     * A flow-cache way's table_epoch (ABI 11): a byte of the VIP's Maglev table's kernel map id,
     * spread by a multiply (SLUICE_TABLE_EPOCH in sluice_abi.h): see {@link #tableEpoch}.
     */
    public static final int TABLE_EPOCH_MULT = 0x9e3779b1;
    public static final int TABLE_EPOCH_SHIFT = 24;
    /** The table_epoch of every way an ABI 10 program wrote (it had none): no table is installed with it. */
    public static final int TABLE_EPOCH_NONE = 0;
    /** The largest prime Maglev table size the data plane accepts. */
    public static final int MAGLEV_MAX_SIZE = 655373;
    /** The flow hash (FlowHash, hash.h): its seed, word multiplier, and finaliser's multiplier and shift. */
    public static final int HASH_SEED = 0x5a17c3e1;
    public static final long FLOW_HASH_MULT = 0x9e3779b97f4a7c15L;
    public static final long FLOW_HASH_FINAL_MULT = 0xbf58476d1ce4e5b9L;
    public static final int FLOW_HASH_FINAL_SHIFT = 29;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    /** Slot 0 of an inner Maglev table holds its size M; backend ids are in slots 1..M. */
    public static final int MAGLEV_SIZE_SLOT = 0;
    public static final int MAGLEV_FIRST_SLOT = 1;

    /** A table slot packs the owner (low 16 bits) and a draining previous owner: see {@link PackedSlot}. */
    public static final int SLOT_BACKEND_MASK = 0xffff;
    public static final int SLOT_PREV_SHIFT = 16;
    public static final int SLOT_PREV_MASK = 0x7fff;
    public static final int SLOT_PREV_VALID = 0x80000000;

    public static final int VIP_FLAGS_NONE = 0;
    public static final int BACKEND_FLAG_IN_USE = 0x1;

    /** BPF_F_INNER_MAP: inner Maglev tables may differ in size from the template. */
    public static final int BPF_F_INNER_MAP = 1 << 12;

    // Map names (balancer.o unless noted).
    public static final String MAP_VIPS = "vips";
    public static final String MAP_BACKENDS = "backends";
    public static final String MAP_MAGLEV_TABLES = "maglev_tables";
    /**
     * The flow cache: IPv4 flows (one cache line per bucket, since ABI 9) and IPv6 flows (two lines,
     * since ABI 10; the name changed with the layout, so an upgrade in place pins the new table
     * beside the old one).
     */
    public static final String MAP_FLOWS4 = "flows4";
    public static final String MAP_FLOWS6 = "flows6c";
    /**
     * Maps of older layouts, a pin of which an older data plane may have left: the one flow table
     * of ABI 5-8 (IPv4 and IPv6 alike), ABI 9's IPv6 flow table (whole 5-tuples) and the reason
     * counts of ABI 10 and before (sized to the reasons of their time). Removed once the new
     * program runs.
     */
    public static final List<String> MAPS_RETIRED = List.of("flows", "flows6", "reason_stats");
    public static final String MAP_LB_CONFIG = "lb_config";
    public static final String MAP_VIP_STATS = "vip_stats";
    public static final String MAP_BACKEND_STATS = "backend_stats";
    /**
     * Per-reason packet counts (enum sluice_reason). Since ABI 11 named {@code reasons} and sized
     * {@link #REASON_SLOTS}, so that a reason added later keeps the pinned map.
     */
    public static final String MAP_REASONS = "reasons";
    public static final int REASON_SLOTS = 64;
    /** In decap.o. */
    public static final String MAP_DECAP_STATS = "decap_stats";

    public static final String PROG_BALANCER = "balancer";
    public static final String PROG_DECAP = "decap";

    public static final String OBJECT_BALANCER = "balancer.o";
    public static final String OBJECT_DECAP = "decap.o";

    private DataplaneAbi() {}

    /** SLUICE_TABLE_EPOCH: the table_epoch a flow-cache way stores for the Maglev table of this map id. */
    public static int tableEpoch(int mapId) {
        return (mapId * TABLE_EPOCH_MULT) >>> TABLE_EPOCH_SHIFT;
    }

    /**
     * Sizes both flow maps of an opened, not yet loaded balancer object for {@code flowsPerCpu}
     * flows per possible CPU each ({@link #flowBuckets}): every loader of balancer.o calls this.
     */
    public static BpfObject sizeFlowCache(BpfObject balancer, int flowsPerCpu) {
        int entries = flowBuckets(flowsPerCpu);
        return balancer.setMaxEntries(MAP_FLOWS4, entries).setMaxEntries(MAP_FLOWS6, entries);
    }

    /**
     * A flow map's max_entries for {@code flowsPerCpu} flows per possible CPU, in the one table
     * all CPUs share (see {@link FlowCacheLayout}): the operator's flow_table_size is per CPU, so the
     * table's capacity grows with the host as a per-CPU table's would. E.g. 262144 flows per CPU on
     * 2 CPUs -> 131072 buckets (524288 flows).
     */
    public static int flowBuckets(int flowsPerCpu) {
        return flowMapEntries(flowsPerCpu, BpfMap.possibleCpus());
    }

    /** {@link #flowBuckets} for a given CPU count. */
    public static int flowMapEntries(int flowsPerCpu, int cpus) {
        if (flowsPerCpu < 1 || cpus < 1) {
            throw new IllegalArgumentException("flow table size needs at least 1 flow and 1 CPU, got " + flowsPerCpu
                    + " x " + cpus);
        }
        return FlowCacheLayout.forFlows((long) flowsPerCpu * cpus).maxEntries();
    }
}
