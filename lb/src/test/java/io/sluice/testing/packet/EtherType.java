package io.sluice.testing.packet;

/** Ethertypes and IP protocol numbers the tests build and parse. */
public final class EtherType {
    public static final int IPV4 = 0x0800;
    public static final int IPV6 = 0x86dd;
    public static final int ARP = 0x0806;
    public static final int VLAN = 0x8100;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_IPIP = 4;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_IPV6 = 41;
    public static final int PROTO_IPV6_FRAGMENT = 44;
    public static final int PROTO_ICMPV6 = 58;
    public static final int PROTO_IPV6_HOP_BY_HOP = 0;

    private EtherType() {
    }
}
