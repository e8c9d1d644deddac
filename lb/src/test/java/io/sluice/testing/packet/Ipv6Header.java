package io.sluice.testing.packet;

import java.net.InetAddress;

/** A parsed fixed IPv6 header. */
public record Ipv6Header(int offset, int trafficClass, int flowLabel, int payloadLength, int nextHeader,
                         int hopLimit, InetAddress src, InetAddress dst) {
    private static final int ADDRESS_BYTES = 16;
    private static final int FLOW_LABEL_MASK = 0xfffff;

    public static Ipv6Header parse(byte[] bytes, int offset) {
        Wire w = new Wire(bytes);
        long first = w.u32(offset);
        int version = (int) (first >>> 28);
        if (version != 6) {
            throw new IllegalArgumentException("IP version " + version + " at offset " + offset + ", expected 6");
        }
        return new Ipv6Header(offset, (int) (first >>> 20) & 0xff, (int) first & FLOW_LABEL_MASK,
                w.u16(offset + 4), w.u8(offset + 6), w.u8(offset + 7),
                w.address(offset + 8, ADDRESS_BYTES), w.address(offset + 24, ADDRESS_BYTES));
    }

    public int payloadOffset() {
        return offset + PacketBuilder.IPV6_HEADER;
    }
}
