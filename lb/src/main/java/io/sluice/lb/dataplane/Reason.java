package io.sluice.lb.dataplane;

import java.util.Locale;

/**
 * enum sluice_reason: why the balancer did what it did to a packet, in the C order
 * (the ordinal is the index into {@code reason_stats}). SLUICE_REASON_MAX is {@link #COUNT}.
 */
public enum Reason {
    PASS_NOT_IP,
    PASS_NOT_VIP,
    TX_FORWARDED,
    TX_ICMP_TOO_BIG,
    DROP_TRUNCATED,
    DROP_FRAGMENT,
    DROP_NO_BACKEND,
    DROP_BAD_BACKEND,
    DROP_ENCAP_FAILED,
    DROP_NO_CONFIG,
    FLOW_HIT,
    FLOW_MISS,
    IPV4_OPTIONS;

    /** SLUICE_REASON_MAX: the number of reasons, the size of reason_stats. */
    public static final int COUNT = values().length;

    private static final String C_PREFIX = "SLUICE_";

    /** The C enumerator, e.g. "SLUICE_PASS_NOT_IP". */
    public String cName() {
        return C_PREFIX + name();
    }

    /** Its value in C, the index into reason_stats. */
    public int value() {
        return ordinal();
    }

    /** The metrics label, e.g. "pass_not_ip". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
