package io.sluice.testing.packet;

import java.net.InetAddress;

/** RFC 1071 one's-complement checksum, and the pseudo-header sums TCP, UDP and ICMPv6 cover. */
public final class InternetChecksum {
    private static final int WORD_MASK = 0xffff;

    private InternetChecksum() {
    }

    /** The running (unfolded) sum of big-endian 16-bit words; an odd last byte is padded with zero. */
    public static long sum(byte[] data, int offset, int length, long initial) {
        long sum = initial;
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (data[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a running sum and complements it: the value to store in a checksum field. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & WORD_MASK) + (sum >>> 16);
        }
        return (int) (~sum & WORD_MASK);
    }

    public static int of(byte[] data, int offset, int length) {
        return fold(sum(data, offset, length, 0));
    }

    /** The sum of the pseudo-header: addresses, upper-layer length, protocol (v4 and v6 layouts sum alike). */
    public static long pseudoHeader(InetAddress src, InetAddress dst, int protocol, int length) {
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        long sum = sum(s, 0, s.length, 0);
        sum = sum(d, 0, d.length, sum);
        return sum + protocol + (length >>> 16) + (length & WORD_MASK);
    }

    /** True when the region, checksum field included, sums to zero (a valid checksum). */
    public static boolean verifies(byte[] data, int offset, int length, long initial) {
        return fold(sum(data, offset, length, initial)) == 0;
    }
}
