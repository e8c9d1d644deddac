package io.sluice.lb.config;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An address prefix such as 172.16.0.0/16: the network address (host bits zero) and the prefix length. */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        int bits = network.getAddress().length * Byte.SIZE;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + bits);
        }
        if (hasHostBits(network.getAddress(), prefixLength)) {
            throw new IllegalArgumentException(network.getHostAddress() + "/" + prefixLength
                    + " has host bits set; write the network address of the prefix");
        }
    }

    /** Parses "address/length" with a literal address (never DNS); the message of the exception is the reason. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a prefix (expected address/length)");
        }
        InetAddress address = IpLiteral.parse(text.substring(0, slash));
        String length = text.substring(slash + 1);
        if (!length.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("\"" + text + "\" has no valid prefix length after the /");
        }
        return new Cidr(address, Integer.parseInt(length));
    }

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    /** Number of low-order bits that vary inside the prefix. */
    public int hostBits() {
        return network.getAddress().length * Byte.SIZE - prefixLength;
    }

    private static boolean hasHostBits(byte[] address, int prefixLength) {
        for (int bit = prefixLength; bit < address.length * Byte.SIZE; bit++) {
            if ((address[bit / Byte.SIZE] & (0x80 >>> (bit % Byte.SIZE))) != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
