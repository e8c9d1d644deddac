package io.sluice.testing.packet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Big-endian reads from a byte array, as fields sit on the wire. */
record Wire(byte[] bytes) {
    int u8(int offset) {
        return bytes[offset] & 0xff;
    }

    int u16(int offset) {
        return (u8(offset) << 8) | u8(offset + 1);
    }

    long u32(int offset) {
        return ((long) u16(offset) << 16) | u16(offset + 2);
    }

    InetAddress address(int offset, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(bytes, offset, offset + length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
