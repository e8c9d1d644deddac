package io.sluice.lb.dataplane;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * struct sluice_config: entry 0 of the {@code lb_config} array. The vary masks are the
 * big-endian reading of their __be32 field: {@code 0x0000ffff} varies the last two bytes
 * of the outer source address by flow hash.
 */
public record LbConfigEntry(byte[] gatewayMac, int mtu, Inet4Address encapSource4, int encapSource4Vary,
                            Inet6Address encapSource6, int encapSource6Vary, int flags) {

    public static final int SIZE = 40;
    public static final int OFFSET_GATEWAY_MAC = 0;
    public static final int OFFSET_MTU = 6;
    public static final int OFFSET_ENCAP_SRC4 = 8;
    public static final int OFFSET_ENCAP_SRC4_VARY = 12;
    public static final int OFFSET_ENCAP_SRC6 = 16;
    public static final int OFFSET_ENCAP_SRC6_VARY = 32;
    public static final int OFFSET_FLAGS = 36;
    public static final int MAC_BYTES = 6;

    private static final int IPV6_BYTES = 16;

    public LbConfigEntry {
        Objects.requireNonNull(gatewayMac, "gatewayMac");
        Objects.requireNonNull(encapSource4, "encapSource4");
        Objects.requireNonNull(encapSource6, "encapSource6");
        if (gatewayMac.length != MAC_BYTES) {
            throw new IllegalArgumentException("a MAC address is 6 bytes, got " + gatewayMac.length);
        }
        Codec.requireUnsignedShort(mtu, "mtu");
        gatewayMac = gatewayMac.clone();
    }

    @Override
    public byte[] gatewayMac() {
        return gatewayMac.clone();
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.put(OFFSET_GATEWAY_MAC, gatewayMac);
        b.putShort(OFFSET_MTU, (short) mtu);
        b.put(OFFSET_ENCAP_SRC4, encapSource4.getAddress());
        Codec.putBigEndianInt(b, OFFSET_ENCAP_SRC4_VARY, encapSource4Vary);
        b.put(OFFSET_ENCAP_SRC6, encapSource6.getAddress());
        Codec.putBigEndianInt(b, OFFSET_ENCAP_SRC6_VARY, encapSource6Vary);
        b.putInt(OFFSET_FLAGS, flags);
        return b.array();
    }

    public static LbConfigEntry decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_config");
        byte[] mac = new byte[MAC_BYTES];
        b.get(OFFSET_GATEWAY_MAC, mac);
        return new LbConfigEntry(mac, Codec.unsignedShort(b, OFFSET_MTU),
                (Inet4Address) AddressCodec.get(b, OFFSET_ENCAP_SRC4, DataplaneAbi.AF_INET),
                Codec.getBigEndianInt(b, OFFSET_ENCAP_SRC4_VARY),
                ipv6(b, OFFSET_ENCAP_SRC6),
                Codec.getBigEndianInt(b, OFFSET_ENCAP_SRC6_VARY),
                b.getInt(OFFSET_FLAGS));
    }

    /** Always an Inet6Address, even for a v4-mapped value, which InetAddress would turn into IPv4. */
    private static Inet6Address ipv6(ByteBuffer b, int offset) {
        byte[] raw = new byte[IPV6_BYTES];
        b.get(offset, raw);
        try {
            return Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LbConfigEntry c
                && Arrays.equals(c.gatewayMac, gatewayMac) && c.mtu == mtu
                && c.encapSource4.equals(encapSource4) && c.encapSource4Vary == encapSource4Vary
                && c.encapSource6.equals(encapSource6) && c.encapSource6Vary == encapSource6Vary
                && c.flags == flags;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(gatewayMac), mtu, encapSource4, encapSource4Vary, encapSource6,
                encapSource6Vary, flags);
    }

    @Override
    public String toString() {
        return "LbConfigEntry[gatewayMac=" + HexFormat.ofDelimiter(":").formatHex(gatewayMac) + ", mtu=" + mtu
                + ", encapSource4=" + encapSource4.getHostAddress() + "/vary " + Integer.toHexString(encapSource4Vary)
                + ", encapSource6=" + encapSource6.getHostAddress() + "/vary " + Integer.toHexString(encapSource6Vary)
                + ", flags=" + flags + "]";
    }
}
