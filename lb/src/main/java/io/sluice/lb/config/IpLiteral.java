package io.sluice.lb.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses IPv4 / IPv6 address literals into InetAddress without ever asking DNS
 * (InetAddress.getByName would resolve a hostname, and a config must not depend on a resolver).
 */
public final class IpLiteral {
    private static final int IPV4_BYTES = 4;
    private static final int IPV6_BYTES = 16;
    private static final int IPV6_GROUPS = 8;
    private static final int MAX_OCTET = 255;
    private static final Pattern DECIMAL_OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    /** ::ffff:0:0/96 lead bytes: an IPv4 address in IPv6 clothing. */
    private static final int MAPPED_PREFIX_ZEROS = 10;

    private IpLiteral() {
    }

    /** The address, or IllegalArgumentException whose message is the reason, e.g. "10.0.2.x" is not an IP address literal. */
    public static InetAddress parse(String text) {
        byte[] bytes = text.indexOf(':') >= 0 ? ipv6(text) : ipv4(text);
        if (bytes == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal");
        }
        if (bytes.length == IPV6_BYTES && isIpv4Mapped(bytes)) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is an IPv4-mapped IPv6 address; write the IPv4 address instead");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte array is always an address", e);
        }
    }

    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != IPV4_BYTES) {
            return null;
        }
        byte[] out = new byte[IPV4_BYTES];
        for (int i = 0; i < IPV4_BYTES; i++) {
            // Leading zeros are refused: some tools read them as octal.
            if (!DECIMAL_OCTET.matcher(parts[i]).matches()) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > MAX_OCTET) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    private static byte[] ipv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? text.substring(0, gap) : text;
        String tail = gap >= 0 ? text.substring(gap + 2) : "";
        byte[] headBytes = groups(head, gap < 0);
        byte[] tailBytes = groups(tail, true);
        if (headBytes == null || tailBytes == null) {
            return null;
        }
        int used = headBytes.length + tailBytes.length;
        if (gap < 0 ? used != IPV6_BYTES : used > IPV6_BYTES - 2) {
            return null;
        }
        byte[] out = new byte[IPV6_BYTES];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(tailBytes, 0, out, IPV6_BYTES - tailBytes.length, tailBytes.length);
        return out;
    }

    /** Colon-separated hex groups, optionally ending in a dotted IPv4 address (only where lastPart). */
    private static byte[] groups(String part, boolean lastPart) {
        if (part.isEmpty()) {
            return new byte[0];
        }
        String[] groups = part.split(":", -1);
        if (groups.length > IPV6_GROUPS) {
            return null;
        }
        byte[] out = new byte[IPV6_BYTES + IPV4_BYTES];
        int n = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (lastPart && i == groups.length - 1 && g.indexOf('.') >= 0) {
                byte[] v4 = ipv4(g);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, n, IPV4_BYTES);
                n += IPV4_BYTES;
            } else if (HEX_GROUP.matcher(g).matches()) {
                int value = Integer.parseInt(g, 16);
                out[n++] = (byte) (value >>> Byte.SIZE);
                out[n++] = (byte) value;
            } else {
                return null;
            }
            if (n > IPV6_BYTES) {
                return null;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static boolean isIpv4Mapped(byte[] b) {
        for (int i = 0; i < MAPPED_PREFIX_ZEROS; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[MAPPED_PREFIX_ZEROS] == (byte) 0xff && b[MAPPED_PREFIX_ZEROS + 1] == (byte) 0xff;
    }
}
