package io.sluice.testing.packet;

import java.util.Arrays;

/**
 * A parsed ICMP or ICMPv6 message: type, code, the 4 bytes after the checksum (`rest`:
 * next-hop MTU for fragmentation-needed, MTU for packet-too-big) and the quoted bytes.
 */
public record IcmpMessage(int type, int code, long rest, byte[] body, boolean checksumValid) {

    /** ICMP for IPv4: the checksum covers the message only. */
    public static IcmpMessage parseV4(byte[] bytes, Ipv4Header ip) {
        int length = Math.min(ip.payloadLength(), bytes.length - ip.payloadOffset());
        return parse(bytes, ip.payloadOffset(), length, 0);
    }

    /** ICMPv6: the checksum also covers the pseudo-header. */
    public static IcmpMessage parseV6(byte[] bytes, Ipv6Header ip) {
        int length = Math.min(ip.payloadLength(), bytes.length - ip.payloadOffset());
        long pseudo = InternetChecksum.pseudoHeader(ip.src(), ip.dst(), EtherType.PROTO_ICMPV6, length);
        return parse(bytes, ip.payloadOffset(), length, pseudo);
    }

    private static IcmpMessage parse(byte[] bytes, int offset, int length, long initialSum) {
        Wire w = new Wire(bytes);
        int bodyStart = offset + PacketBuilder.ICMP_HEADER;
        return new IcmpMessage(w.u8(offset), w.u8(offset + 1), w.u32(offset + 4),
                Arrays.copyOfRange(bytes, bodyStart, offset + length),
                InternetChecksum.verifies(bytes, offset, length, initialSum));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
