package io.sluice.testing.packet;

import java.net.InetAddress;

/** A parsed IPv4 header; {@code checksumValid} is checked over the header including options. */
public record Ipv4Header(int offset, int headerLength, int tos, int totalLength, int id, boolean dontFragment,
                         boolean moreFragments, int fragmentOffset, int ttl, int protocol, InetAddress src,
                         InetAddress dst, boolean checksumValid) {
    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1fff;
    private static final int ADDRESS_BYTES = 4;

    public static Ipv4Header parse(byte[] bytes, int offset) {
        Wire w = new Wire(bytes);
        int version = w.u8(offset) >>> 4;
        if (version != 4) {
            throw new IllegalArgumentException("IP version " + version + " at offset " + offset + ", expected 4");
        }
        int headerLength = (w.u8(offset) & 0xf) * 4;
        int flags = w.u16(offset + 6);
        return new Ipv4Header(offset, headerLength, w.u8(offset + 1), w.u16(offset + 2), w.u16(offset + 4),
                (flags & FLAG_DF) != 0, (flags & FLAG_MF) != 0, flags & OFFSET_MASK, w.u8(offset + 8),
                w.u8(offset + 9), w.address(offset + 12, ADDRESS_BYTES), w.address(offset + 16, ADDRESS_BYTES),
                InternetChecksum.verifies(bytes, offset, headerLength, 0));
    }

    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return totalLength - headerLength;
    }
}
