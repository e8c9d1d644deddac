package io.sluice.lb.net;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/** An Ethernet address. Immutable. */
public final class MacAddress {
    public static final int LENGTH = 6;
    private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":");

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (any case); anything else is an IllegalArgumentException naming the text. */
    public static MacAddress parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
        }
        return new MacAddress(COLON_HEX.parseHex(trimmed));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return COLON_HEX.formatHex(bytes);
    }
}
