package io.sluice.lb.dataplane;

/**
 * enum sluice_decap_reason: what the backend-side decap program did, in the C order
 * (the ordinal indexes {@code decap_stats}). SLUICE_DECAP_REASON_MAX is {@link #COUNT}.
 */
public enum DecapReason implements AbiEnum {
    PASS_NOT_ENCAP,
    DONE,
    DROP_TRUNCATED,
    SECOND_CHANCE_LOCAL,
    SECOND_CHANCE_FORWARD;

    public static final int COUNT = values().length;

    @Override
    public String cPrefix() {
        return "SLUICE_DECAP_";
    }
}
