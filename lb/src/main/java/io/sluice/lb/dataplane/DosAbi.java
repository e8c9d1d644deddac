package io.sluice.lb.dataplane;

/**
 * The constants of bpf-xdp/include/dos_abi.h (the DoS stage's contract) and the names of its
 * maps. DataplaneAbiBtfTest checks the numbers against the header.
 */
public final class DosAbi {

    public static final int DOS_MAX_PREFIXES = 131072;
    public static final int DOS_MAX_DENY_IDS = 262144;
    public static final int DOS_MAX_SOURCES = 65536;
    public static final int DOS_V6_SOURCE_PREFIX = 64;
    public static final int DOS_VIP_PORTS = 4;

    public static final int DOS_PREFILTER_WORDS = 262144;
    /** dos_deny24: one u32 per IPv4 /24; 0 = untouched, id + 1 = covered, DOS_DENY24_LPM = ask the trie. */
    public static final int DOS_DENY24_ENTRIES = 1 << 24;
    public static final int DOS_DENY24_LPM = 0xffffffff;

    public static final int DOS_F_TCP_FLAGS = 0x1;
    public static final int DOS_F_REFLECTION = 0x2;
    public static final int DOS_F_TRACK_SOURCES = 0x4;
    public static final int DOS_F_VIP_CEILINGS = 0x8;

    public static final int DOS_VIP_F_PASS_FRAGMENTS = 0x1;

    /** Words of the reflection-port bitmap: one bit per port. */
    public static final int REFLECTION_WORDS = 65536 / Long.SIZE;

    public static final String MAP_CONFIG = "dos_config";
    public static final String MAP_ALLOW4 = "dos_allow4";
    public static final String MAP_ALLOW6 = "dos_allow6";
    public static final String MAP_DENY4 = "dos_deny4";
    public static final String MAP_DENY6 = "dos_deny6";
    public static final String MAP_DENY_HITS = "dos_deny_hits";
    public static final String MAP_ALLOW_PREFILTER4 = "dos_allow_prefilter4";
    public static final String MAP_DENY24 = "dos_deny24";
    public static final String MAP_REFLECTION_PORTS = "dos_reflection_ports";
    public static final String MAP_VIPS = "dos_vips";
    public static final String MAP_VIP_FLOW_STATE = "dos_vip_flow_state";
    public static final String MAP_SOURCES = "dos_sources";

    private DosAbi() {}
}
