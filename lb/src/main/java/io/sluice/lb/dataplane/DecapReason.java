package io.sluice.lb.dataplane;

import java.util.Locale;

/**
 * enum sluice_decap_reason: what the backend-side decap program did, in the C order
 * (the ordinal indexes {@code decap_stats}). SLUICE_DECAP_REASON_MAX is {@link #COUNT}.
 */
public enum DecapReason {
    PASS_NOT_ENCAP,
    DONE,
    DROP_TRUNCATED;

    public static final int COUNT = values().length;

    private static final String C_PREFIX = "SLUICE_DECAP_";

    /** The C enumerator, e.g. "SLUICE_DECAP_PASS_NOT_ENCAP". */
    public String cName() {
        return C_PREFIX + name();
    }

    public int value() {
        return ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
