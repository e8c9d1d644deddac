package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Buffers in the ABI's byte orders: host order for plain integers, network order for ports. */
final class Codec {

    private static final int U16_MASK = 0xffff;
    private static final int U8_MASK = 0xff;

    private Codec() {}

    /** A u32 map key or value in host order. */
    static byte[] u32(int value) {
        return hostOrder(Integer.BYTES).putInt(value).array();
    }

    static int readU32(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getInt();
    }

    static ByteBuffer hostOrder(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer wrap(byte[] bytes, int expectedSize, String what) {
        if (bytes.length != expectedSize) {
            throw new IllegalArgumentException(what + " is " + expectedSize + " bytes, got " + bytes.length);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    static void putPort(ByteBuffer buffer, int offset, int port) {
        requirePort(port);
        buffer.put(offset, (byte) (port >>> 8));
        buffer.put(offset + 1, (byte) port);
    }

    static int getPort(ByteBuffer buffer, int offset) {
        return ((buffer.get(offset) & U8_MASK) << 8) | (buffer.get(offset + 1) & U8_MASK);
    }

    /** A __be32 field that is not an address (e.g. a vary mask), as the int its 4 bytes read big-endian. */
    static void putBigEndianInt(ByteBuffer buffer, int offset, int value) {
        buffer.duplicate().order(ByteOrder.BIG_ENDIAN).putInt(offset, value);
    }

    static int getBigEndianInt(ByteBuffer buffer, int offset) {
        return buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(offset);
    }

    static int unsignedByte(ByteBuffer buffer, int offset) {
        return buffer.get(offset) & U8_MASK;
    }

    static int unsignedShort(ByteBuffer buffer, int offset) {
        return buffer.getShort(offset) & U16_MASK;
    }

    static void requirePort(int port) {
        if (port < 0 || port > U16_MASK) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    static void requireUnsignedByte(int value, String what) {
        if (value < 0 || value > U8_MASK) {
            throw new IllegalArgumentException(what + " out of range 0..255: " + value);
        }
    }

    static void requireUnsignedShort(int value, String what) {
        if (value < 0 || value > U16_MASK) {
            throw new IllegalArgumentException(what + " out of range 0..65535: " + value);
        }
    }

    /** A VIP id indexes maglev_tables and vip_stats: 0 .. MAX_VIPS - 1. */
    static void requireVipId(int vipId) {
        if (vipId < 0 || vipId >= DataplaneAbi.MAX_VIPS) {
            throw new IllegalArgumentException("vip id out of range 0.." + (DataplaneAbi.MAX_VIPS - 1) + ": " + vipId);
        }
    }
}
