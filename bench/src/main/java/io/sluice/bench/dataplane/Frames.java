package io.sluice.bench.dataplane;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The few frames the benchmark sends: Ethernet + IPv4/IPv6 + TCP (ACK with a small payload),
 * and an IPv4-in-IPv4 frame for decap. Only what the programs read is filled in; the TCP
 * checksum stays zero (neither program verifies it), the IPv4 header checksum is correct.
 */
final class Frames {
    static final int ETHERNET_HEADER = 14;
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int TCP_HEADER = 20;
    /** A small request segment: what most packets to a service look like. */
    static final int PAYLOAD_BYTES = 64;

    private static final byte[] CLIENT_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] LB_MAC = {2, 0, 0, 0, 0, 2};
    private static final short ETHERTYPE_IPV4 = 0x0800;
    private static final short ETHERTYPE_IPV6 = (short) 0x86dd;
    private static final int IPV4_VERSION_IHL = 0x45;
    private static final short IPV4_DONT_FRAGMENT = 0x4000;
    private static final int IPV6_VERSION_WORD = 0x6000_0000;
    private static final int TTL = 64;
    private static final int PROTO_IPIP = 4;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_ICMP = 1;
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_HEADER = 8;
    private static final int IPV4_SOURCE_OFFSET = 12;
    private static final int IPV6_SOURCE_OFFSET = 8;
    private static final int ADDRESS_TAIL_BYTES = 2;
    private static final byte TCP_DATA_OFFSET_5 = 0x50;
    private static final byte TCP_FLAG_ACK = 0x10;
    private static final byte TCP_FLAG_SYN = 0x02;
    private static final short TCP_WINDOW = (short) 0xffff;
    private static final int IPV4_CHECKSUM_OFFSET = 10;
    /** Ethernet frames shorter than this (FCS excluded) are padded up to it by the sender. */
    private static final int ETHERNET_MIN_FRAME = 60;

    private Frames() {}

    /** Client -> address:port over TCP, either family (chosen by the addresses): an ACK segment. */
    static BenchFrame tcp(InetAddress client, InetAddress server, int sourcePort, int destinationPort) {
        return tcp(client, server, sourcePort, destinationPort, TCP_FLAG_ACK);
    }

    /** The first segment of a TCP connection (SYN, no ACK): what opens every new TCP flow. */
    static BenchFrame tcpSyn(InetAddress client, InetAddress server, int sourcePort, int destinationPort) {
        return tcp(client, server, sourcePort, destinationPort, TCP_FLAG_SYN);
    }

    /**
     * A pure ACK (no payload) as it arrives from a NIC: 54 bytes of IPv4 packet in a 60-byte frame,
     * the padding after the IP length. Most of what a client sends to a VIP during a download.
     */
    static BenchFrame pureAckPadded(Inet4Address client, Inet4Address server, int sourcePort, int destinationPort) {
        BenchFrame frame = tcp(client, server, sourcePort, destinationPort, TCP_FLAG_ACK, 0);
        return new BenchFrame(Arrays.copyOf(frame.bytes(), ETHERNET_MIN_FRAME), frame.sourcePortOffset(),
                frame.sourceTailOffset());
    }

    private static BenchFrame tcp(InetAddress client, InetAddress server, int sourcePort, int destinationPort,
                                  byte flags) {
        return tcp(client, server, sourcePort, destinationPort, flags, PAYLOAD_BYTES);
    }

    private static BenchFrame tcp(InetAddress client, InetAddress server, int sourcePort, int destinationPort,
                                  byte flags, int payloadBytes) {
        boolean v4 = client instanceof Inet4Address;
        if (v4 != server instanceof Inet4Address) {
            throw new IllegalArgumentException("client and server must be of one family");
        }
        int ipHeader = v4 ? IPV4_HEADER : IPV6_HEADER;
        int l4Length = TCP_HEADER + payloadBytes;
        ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + ipHeader + l4Length);
        ethernet(b, v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
        if (v4) {
            ipv4(b, (Inet4Address) client, (Inet4Address) server, PROTO_TCP, l4Length);
        } else {
            ipv6(b, (Inet6Address) client, (Inet6Address) server, l4Length);
        }
        tcp(b, sourcePort, destinationPort, flags);
        int sourceOffset = ETHERNET_HEADER + (v4 ? IPV4_SOURCE_OFFSET : IPV6_SOURCE_OFFSET);
        int addressBytes = client.getAddress().length;
        return new BenchFrame(b.array(), ETHERNET_HEADER + ipHeader,
                sourceOffset + addressBytes - ADDRESS_TAIL_BYTES);
    }

    /** Client -> server ICMP echo request (IPv4, no ports: the parser's PARSE_UNKNOWN path). */
    static BenchFrame icmpEcho4(Inet4Address client, Inet4Address server) {
        int l4Length = ICMP_HEADER + PAYLOAD_BYTES;
        ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + IPV4_HEADER + l4Length);
        ethernet(b, ETHERTYPE_IPV4);
        ipv4(b, client, server, PROTO_ICMP, l4Length);
        b.put((byte) ICMP_ECHO_REQUEST);
        // code, checksum (unchecked), id, sequence and payload: the buffer's zeroed remainder
        return new BenchFrame(b.array(), BenchFrame.NO_REWRITE, BenchFrame.NO_REWRITE);
    }

    /** What the balancer sends to an IPv4 backend for an IPv4 client: outer IPv4, protocol 4. */
    static BenchFrame ipInIp4(Inet4Address outerSource, Inet4Address outerDestination, BenchFrame inner) {
        byte[] innerFrame = inner.bytes();
        int innerIpLength = innerFrame.length - ETHERNET_HEADER;
        ByteBuffer b = ByteBuffer.allocate(ETHERNET_HEADER + IPV4_HEADER + innerIpLength);
        ethernet(b, ETHERTYPE_IPV4);
        ipv4(b, outerSource, outerDestination, PROTO_IPIP, innerIpLength);
        b.put(innerFrame, ETHERNET_HEADER, innerIpLength);
        return new BenchFrame(b.array(), BenchFrame.NO_REWRITE, BenchFrame.NO_REWRITE);
    }

    private static void ethernet(ByteBuffer b, short etherType) {
        b.put(LB_MAC).put(CLIENT_MAC).putShort(etherType);
    }

    private static void ipv4(ByteBuffer b, Inet4Address src, Inet4Address dst, int protocol, int payloadLength) {
        int start = b.position();
        b.put((byte) IPV4_VERSION_IHL).put((byte) 0).putShort((short) (IPV4_HEADER + payloadLength))
                .putShort((short) 0).putShort(IPV4_DONT_FRAGMENT)
                .put((byte) TTL).put((byte) protocol).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
        b.putShort(start + IPV4_CHECKSUM_OFFSET, (short) headerChecksum(b.array(), start, IPV4_HEADER));
    }

    private static void ipv6(ByteBuffer b, Inet6Address src, Inet6Address dst, int payloadLength) {
        b.putInt(IPV6_VERSION_WORD).putShort((short) payloadLength).put((byte) PROTO_TCP).put((byte) TTL)
                .put(src.getAddress()).put(dst.getAddress());
    }

    private static void tcp(ByteBuffer b, int sourcePort, int destinationPort, byte flags) {
        b.putShort((short) sourcePort).putShort((short) destinationPort)
                .putInt(1).putInt(1)
                .put(TCP_DATA_OFFSET_5).put(flags).putShort(TCP_WINDOW)
                .putShort((short) 0).putShort((short) 0);
        // the payload is the buffer's zeroed remainder
    }

    /** RFC 1071 ones'-complement sum over a header whose checksum field is zero. */
    private static int headerChecksum(byte[] bytes, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
