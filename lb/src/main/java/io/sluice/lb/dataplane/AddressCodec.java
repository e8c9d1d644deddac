package io.sluice.lb.dataplane;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The ABI's address slot: {@code __be32 addr[4]}, 16 bytes in network order, IPv4 in the
 * first 4 bytes with the rest zero, plus a separate family byte.
 */
final class AddressCodec {

    static final int ADDRESS_BYTES = 16;
    private static final int IPV4_BYTES = 4;

    private AddressCodec() {}

    static int familyOf(InetAddress address) {
        if (address instanceof Inet4Address) {
            return DataplaneAbi.AF_INET;
        }
        if (address instanceof Inet6Address) {
            return DataplaneAbi.AF_INET6;
        }
        throw new IllegalArgumentException("not an IP address: " + address);
    }

    static void put(ByteBuffer buffer, int offset, InetAddress address) {
        byte[] raw = address.getAddress();
        for (int i = 0; i < ADDRESS_BYTES; i++) {
            buffer.put(offset + i, i < raw.length ? raw[i] : 0);
        }
    }

    /** Reads the slot as {@code family}; an unknown family (e.g. an all-zero entry) is an error. */
    static InetAddress get(ByteBuffer buffer, int offset, int family) {
        int length = switch (family) {
            case DataplaneAbi.AF_INET -> IPV4_BYTES;
            case DataplaneAbi.AF_INET6 -> ADDRESS_BYTES;
            default -> throw new IllegalArgumentException("unknown address family " + family);
        };
        byte[] raw = new byte[length];
        buffer.get(offset, raw);
        try {
            // Inet6Address.getByAddress keeps a v4-mapped IPv6 address IPv6 (InetAddress would make it IPv4).
            return length == IPV4_BYTES ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a " + length + "-byte address is always valid", e);
        }
    }

    static boolean sameFamily(InetAddress a, InetAddress b) {
        return familyOf(a) == familyOf(b);
    }
}
