package io.sluice.lb.dataplane;

/**
 * enum sluice_reason: why the balancer did what it did to a packet, in the C order
 * (the ordinal is the index into {@code reasons}). SLUICE_REASON_MAX is {@link #COUNT}.
 */
public enum Reason implements AbiEnum {
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
    IPV4_OPTIONS,
    DROP_DENY_LIST,
    DROP_SOURCE_RATE,
    DROP_SOURCE_FLOW_RATE,
    DROP_VIP_FLOW_CEILING,
    DROP_TCP_FLAGS,
    DROP_REFLECTION,
    PASS_FRAGMENT,
    DOS_ALLOWED,
    TX_SECOND_CHANCE,
    FLOW_SYN_REPLACED,
    FLOW_MOVED,
    FLOW_MOVED_ALONE;

    /** SLUICE_REASON_MAX: the number of reasons (the map {@code reasons} has room for {@link DataplaneAbi#REASON_SLOTS}). */
    public static final int COUNT = values().length;

    @Override
    public String cPrefix() {
        return "SLUICE_";
    }
}
