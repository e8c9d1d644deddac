package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowHashTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void matchesPublishedMurmur3Vectors() {
        assertThat(FlowHash.murmur3x86x32(new byte[0], 0)).isEqualTo(0);
        assertThat(FlowHash.murmur3x86x32(new byte[0], 1)).isEqualTo(0x514e28b7);
        assertThat(FlowHash.murmur3x86x32(new byte[0], 0xffffffff)).isEqualTo(0x81f16f39);
        assertThat(FlowHash.murmur3x86x32(bytes(0, 0, 0, 0), 0)).isEqualTo(0x2362f9de);
        assertThat(FlowHash.murmur3x86x32(bytes(0x21, 0x43, 0x65, 0x87), 0)).isEqualTo(0xf55b516b);
        assertThat(FlowHash.murmur3x86x32(bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee)).isEqualTo(0x2362f9de);
        assertThat(FlowHash.murmur3x86x32(bytes(0x21, 0x43, 0x65), 0)).isEqualTo(0x7e4a8634);
        assertThat(FlowHash.murmur3x86x32(bytes(0x21, 0x43), 0)).isEqualTo(0xa0f7b07a);
        assertThat(FlowHash.murmur3x86x32(bytes(0x21), 0)).isEqualTo(0x72661cf4);
        assertThat(FlowHash.murmur3x86x32(ascii("aaaa"), 0x9747b28c)).isEqualTo(0x5a97808a);
        assertThat(FlowHash.murmur3x86x32(ascii("Hello, world!"), 0x9747b28c)).isEqualTo(0x24884cba);
        assertThat(FlowHash.murmur3x86x32(ascii("The quick brown fox jumps over the lazy dog"), 0x9747b28c))
                .isEqualTo(0x2fa826cd);
    }

    @Test
    void matchesSmhasherVerificationValue() {
        // SMHasher's VerificationTest: hash keys {0}, {0,1}, .. {0..254} with seed 256 - len, hash the
        // concatenated little-endian results with seed 0; the first four bytes, read little-endian,
        // are MurmurHash3_x86_32's published verification value.
        byte[] hashes = new byte[256 * Integer.BYTES];
        for (int len = 0; len < 256; len++) {
            byte[] key = new byte[len];
            for (int i = 0; i < len; i++) {
                key[i] = (byte) i;
            }
            int h = FlowHash.murmur3x86x32(key, 256 - len);
            for (int b = 0; b < Integer.BYTES; b++) {
                hashes[len * Integer.BYTES + b] = (byte) (h >>> (Byte.SIZE * b));
            }
        }
        assertThat(FlowHash.murmur3x86x32(hashes, 0)).isEqualTo(0xb0f57ee3);
    }

    @Test
    void fortyByteSpecialCaseEqualsTheGeneralFunction() {
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            byte[] key = new byte[FlowHash.FLOW_KEY_BYTES];
            random.nextBytes(key);
            assertThat(FlowHash.hash(key)).isEqualTo(FlowHash.murmur3x86x32(key, FlowHash.SEED));
        }
    }

    @Test
    void seedIsTheAbiSeed() {
        byte[] zeros = new byte[FlowHash.FLOW_KEY_BYTES];
        assertThat(FlowHash.hash(zeros)).isEqualTo(FlowHash.murmur3x86x32(zeros, 0x5a17c3e1))
                .isNotEqualTo(FlowHash.murmur3x86x32(zeros, 0));
    }

    @Test
    void flowKeyOverloadHashesTheAbiLayout() throws Exception {
        FlowKey key = new FlowKey(InetAddress.getByName("192.0.2.7"), InetAddress.getByName("10.100.0.1"),
                40_000, 80, Protocol.TCP);
        // struct sluice_flow_key written out by hand: src[4], dst[4] (IPv4 in word 0, network order),
        // sport, dport (network order), proto, family, zero pad.
        byte[] expected = new byte[FlowHash.FLOW_KEY_BYTES];
        System.arraycopy(bytes(192, 0, 2, 7), 0, expected, 0, 4);
        System.arraycopy(bytes(10, 100, 0, 1), 0, expected, 16, 4);
        System.arraycopy(bytes(40_000 >> 8, 40_000 & 0xff, 0, 80, 6, 2), 0, expected, 32, 6);
        assertThat(FlowHash.hash(key)).isEqualTo(FlowHash.hash(expected));

        FlowKey reversed = new FlowKey(key.dst(), key.src(), key.dstPort(), key.srcPort(), Protocol.TCP);
        assertThat(FlowHash.hash(reversed)).isNotEqualTo(FlowHash.hash(key));
    }

    @Test
    void rejectsOtherLengths() {
        assertThatThrownBy(() -> FlowHash.hash(new byte[39])).hasMessageContaining("40 bytes, got 39");
    }
}
