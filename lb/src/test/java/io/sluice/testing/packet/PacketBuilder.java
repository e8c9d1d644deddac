package io.sluice.testing.packet;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds test frames layer by layer: Ethernet (+ one 802.1Q tag), then IPv4 (options,
 * fragments), IPv6 (fragment header) or ARP, then TCP, UDP, ICMP, ICMPv6 or a raw IP
 * payload. Lengths and checksums are computed unless a test overrides a field to make
 * the packet malformed on purpose.
 */
public final class PacketBuilder {
    public static final int ETHERNET_HEADER = 14;
    public static final int VLAN_TAG = 4;
    public static final int IPV4_HEADER = 20;
    public static final int IPV6_HEADER = 40;
    public static final int IPV6_FRAGMENT_HEADER = 8;
    public static final int TCP_HEADER = 20;
    public static final int UDP_HEADER = 8;
    public static final int ICMP_HEADER = 8;
    public static final int TCP_FLAG_SYN = 0x02;
    public static final int TCP_FLAG_ACK = 0x10;
    public static final int ICMP_ECHO_REQUEST = 8;
    public static final int ICMPV6_NEIGHBOR_SOLICITATION = 135;

    private static final int DEFAULT_TTL = 64;
    private static final int DEFAULT_IPV4_ID = 0x1234;
    private static final int IPV4_FLAG_DF = 0x4000;
    private static final int IPV4_FLAG_MF = 0x2000;
    private static final int ARP_LENGTH = 28;
    private static final int UNSET = -1;

    private enum Network { IPV4, IPV6, ARP }

    private enum Transport { NONE, TCP, UDP, ICMP, ICMPV6, RAW }

    private final byte[] srcMac;
    private final byte[] dstMac;
    private int vlanId = UNSET;
    private Network network;
    private InetAddress src;
    private InetAddress dst;
    private int tos;
    private int ttl = DEFAULT_TTL;
    private int ipv4Id = DEFAULT_IPV4_ID;
    private byte[] ipv4Options = new byte[0];
    private boolean dontFragment;
    private boolean moreFragments;
    private int fragmentOffset;
    private boolean ipv6FragmentHeader;
    private int ihlOverride = UNSET;
    private int ipLengthOverride = UNSET;
    private Transport transport = Transport.NONE;
    private int rawProtocol;
    private int srcPort;
    private int dstPort;
    private int tcpFlags = TCP_FLAG_SYN;
    private int tcpDataOffsetOverride = UNSET;
    private int icmpType;
    private int icmpCode;
    private byte[] payload = new byte[0];

    private PacketBuilder(byte[] srcMac, byte[] dstMac) {
        this.srcMac = srcMac.clone();
        this.dstMac = dstMac.clone();
    }

    public static PacketBuilder ethernet(byte[] srcMac, byte[] dstMac) {
        return new PacketBuilder(srcMac, dstMac);
    }

    public static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    public PacketBuilder vlan(int id) {
        this.vlanId = id;
        return this;
    }

    public PacketBuilder ipv4(String source, String destination) {
        return ip(Network.IPV4, source, destination);
    }

    public PacketBuilder ipv6(String source, String destination) {
        return ip(Network.IPV6, source, destination);
    }

    private PacketBuilder ip(Network kind, String source, String destination) {
        this.network = kind;
        this.src = ip(source);
        this.dst = ip(destination);
        return this;
    }

    /** An ARP who-has request from {@code senderIp} for {@code targetIp}. */
    public PacketBuilder arpRequest(String senderIp, String targetIp) {
        this.network = Network.ARP;
        this.src = ip(senderIp);
        this.dst = ip(targetIp);
        return this;
    }

    public PacketBuilder tos(int value) {
        this.tos = value;
        return this;
    }

    public PacketBuilder ttl(int value) {
        this.ttl = value;
        return this;
    }

    public PacketBuilder ipv4Id(int value) {
        this.ipv4Id = value;
        return this;
    }

    /** IPv4 options, padded with end-of-options to a multiple of 4 bytes. */
    public PacketBuilder ipv4Options(byte[] options) {
        this.ipv4Options = Arrays.copyOf(options, (options.length + 3) / 4 * 4);
        return this;
    }

    public PacketBuilder dontFragment() {
        this.dontFragment = true;
        return this;
    }

    /** IPv4: MF flag and offset (in 8-byte units). IPv6: adds a fragment header with them. */
    public PacketBuilder fragment(boolean more, int offsetUnits) {
        this.moreFragments = more;
        this.fragmentOffset = offsetUnits;
        this.ipv6FragmentHeader = network == Network.IPV6;
        return this;
    }

    /** Writes this IHL (in words) instead of the real one: for malformed packets. */
    public PacketBuilder ihl(int words) {
        this.ihlOverride = words;
        return this;
    }

    /** Writes this IPv4 total length / IPv6 payload length instead of the real one. */
    public PacketBuilder ipLength(int value) {
        this.ipLengthOverride = value;
        return this;
    }

    public PacketBuilder tcp(int sourcePort, int destinationPort) {
        return ports(Transport.TCP, sourcePort, destinationPort);
    }

    public PacketBuilder udp(int sourcePort, int destinationPort) {
        return ports(Transport.UDP, sourcePort, destinationPort);
    }

    private PacketBuilder ports(Transport kind, int sourcePort, int destinationPort) {
        this.transport = kind;
        this.srcPort = sourcePort;
        this.dstPort = destinationPort;
        return this;
    }

    public PacketBuilder tcpFlags(int flags) {
        this.tcpFlags = flags;
        return this;
    }

    /** Writes this TCP data offset (in words) instead of 5: for malformed packets. */
    public PacketBuilder tcpDataOffset(int words) {
        this.tcpDataOffsetOverride = words;
        return this;
    }

    public PacketBuilder icmp(int type, int code) {
        this.transport = network == Network.IPV6 ? Transport.ICMPV6 : Transport.ICMP;
        this.icmpType = type;
        this.icmpCode = code;
        return this;
    }

    /** A raw IP payload with this protocol number (e.g. a whole inner packet for IP-in-IP). */
    public PacketBuilder rawPayload(int protocol, byte[] bytes) {
        this.transport = Transport.RAW;
        this.rawProtocol = protocol;
        this.payload = bytes.clone();
        return this;
    }

    /** A recognisable payload of {@code length} bytes (i & 0xff). */
    public PacketBuilder payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        this.payload = bytes;
        return this;
    }

    /** The whole frame. */
    public byte[] build() {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(dstMac);
        frame.writeBytes(srcMac);
        if (vlanId != UNSET) {
            writeShort(frame, EtherType.VLAN);
            writeShort(frame, vlanId);
        }
        writeShort(frame, etherType());
        frame.writeBytes(network == Network.ARP ? arp() : ipPacket());
        return frame.toByteArray();
    }

    /** Only the IP packet (no Ethernet header): e.g. the expected inner packet of a tunnel. */
    public byte[] buildIpPacket() {
        return ipPacket();
    }

    private int etherType() {
        if (network == null) {
            throw new IllegalStateException("no network layer");
        }
        return switch (network) {
            case IPV4 -> EtherType.IPV4;
            case IPV6 -> EtherType.IPV6;
            case ARP -> EtherType.ARP;
        };
    }

    private byte[] ipPacket() {
        byte[] l4 = transportBytes();
        return network == Network.IPV4 ? ipv4(l4) : ipv6(l4);
    }

    private int protocol() {
        return switch (transport) {
            case TCP -> EtherType.PROTO_TCP;
            case UDP -> EtherType.PROTO_UDP;
            case ICMP -> EtherType.PROTO_ICMP;
            case ICMPV6 -> EtherType.PROTO_ICMPV6;
            case RAW -> rawProtocol;
            case NONE -> throw new IllegalStateException("no transport layer");
        };
    }

    private byte[] transportBytes() {
        return switch (transport) {
            case TCP -> withChecksum(tcpHeader(), 16, true);
            case UDP -> withChecksum(udpHeader(), 6, true);
            case ICMP -> withChecksum(icmpHeader(), 2, false);
            case ICMPV6 -> withChecksum(icmpHeader(), 2, true);
            case RAW -> payload.clone();
            case NONE -> throw new IllegalStateException("no transport layer");
        };
    }

    private byte[] tcpHeader() {
        ByteBuffer b = ByteBuffer.allocate(TCP_HEADER + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort);
        b.putInt(0x01020304).putInt(0);
        int offset = tcpDataOffsetOverride == UNSET ? TCP_HEADER / 4 : tcpDataOffsetOverride;
        b.put((byte) (offset << 4)).put((byte) tcpFlags).putShort((short) 0xffff);
        b.putShort((short) 0).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private byte[] udpHeader() {
        ByteBuffer b = ByteBuffer.allocate(UDP_HEADER + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort);
        b.putShort((short) (UDP_HEADER + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private byte[] icmpHeader() {
        ByteBuffer b = ByteBuffer.allocate(ICMP_HEADER + payload.length);
        b.put((byte) icmpType).put((byte) icmpCode).putShort((short) 0).putInt(0);
        b.put(payload);
        return b.array();
    }

    private byte[] withChecksum(byte[] segment, int checksumOffset, boolean pseudoHeader) {
        long initial = pseudoHeader ? InternetChecksum.pseudoHeader(src, dst, protocol(), segment.length) : 0;
        int checksum = InternetChecksum.fold(InternetChecksum.sum(segment, 0, segment.length, initial));
        segment[checksumOffset] = (byte) (checksum >>> 8);
        segment[checksumOffset + 1] = (byte) checksum;
        return segment;
    }

    private byte[] ipv4(byte[] l4) {
        if (!(src instanceof Inet4Address) || !(dst instanceof Inet4Address)) {
            throw new IllegalStateException("IPv4 header needs IPv4 addresses");
        }
        int headerLength = IPV4_HEADER + ipv4Options.length;
        int ihl = ihlOverride == UNSET ? headerLength / 4 : ihlOverride;
        int totalLength = ipLengthOverride == UNSET ? headerLength + l4.length : ipLengthOverride;
        int flags = (dontFragment ? IPV4_FLAG_DF : 0) | (moreFragments ? IPV4_FLAG_MF : 0) | fragmentOffset;
        ByteBuffer b = ByteBuffer.allocate(headerLength + l4.length);
        b.put((byte) (0x40 | (ihl & 0xf))).put((byte) tos).putShort((short) totalLength);
        b.putShort((short) ipv4Id).putShort((short) flags);
        b.put((byte) ttl).put((byte) protocol()).putShort((short) 0);
        b.put(src.getAddress()).put(dst.getAddress()).put(ipv4Options);
        int checksum = InternetChecksum.of(b.array(), 0, headerLength);
        b.putShort(10, (short) checksum);
        b.position(headerLength);
        b.put(l4);
        return b.array();
    }

    private byte[] ipv6(byte[] l4) {
        int extension = ipv6FragmentHeader ? IPV6_FRAGMENT_HEADER : 0;
        int payloadLength = ipLengthOverride == UNSET ? extension + l4.length : ipLengthOverride;
        ByteBuffer b = ByteBuffer.allocate(IPV6_HEADER + extension + l4.length);
        b.putInt((6 << 28) | (tos << 20));
        b.putShort((short) payloadLength);
        b.put((byte) (ipv6FragmentHeader ? EtherType.PROTO_IPV6_FRAGMENT : protocol())).put((byte) ttl);
        b.put(src.getAddress()).put(dst.getAddress());
        if (ipv6FragmentHeader) {
            b.put((byte) protocol()).put((byte) 0);
            b.putShort((short) ((fragmentOffset << 3) | (moreFragments ? 1 : 0)));
            b.putInt(0xabcdef01);
        }
        b.put(l4);
        return b.array();
    }

    private byte[] arp() {
        ByteBuffer b = ByteBuffer.allocate(ARP_LENGTH);
        b.putShort((short) 1).putShort((short) EtherType.IPV4).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(srcMac).put(src.getAddress()).put(new byte[6]).put(dst.getAddress());
        return b.array();
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }
}
