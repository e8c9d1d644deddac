package io.sluice.lb.maglev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SipHash24Test {
    // The reference key 00 01 .. 0f, as the two little-endian halves.
    private static final SipHash24 REFERENCE = new SipHash24(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    private static byte[] counting(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void matchesTheReferenceVectors() {
        // vectors.h of the reference implementation (message 00 01 .. len-1); len 15 is also the paper's appendix example.
        assertThat(REFERENCE.hash(counting(0))).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(REFERENCE.hash(counting(1))).isEqualTo(0x74f839c593dc67fdL);
        assertThat(REFERENCE.hash(counting(8))).isEqualTo(0x93f5f5799a932462L);
        assertThat(REFERENCE.hash(counting(15))).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void wordStreamEqualsHashingTheLittleEndianBytes() {
        long[] words = {0L, -1L, 0x0123456789abcdefL, 65537L};
        ByteBuffer bytes = ByteBuffer.allocate(words.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        SipHash24.WordStream stream = REFERENCE.wordStream();
        for (long w : words) {
            bytes.putLong(w);
            stream.add(w);
        }
        assertThat(stream.finish()).isEqualTo(REFERENCE.hash(bytes.array()));
    }

    @Test
    void keyChangesTheHash() {
        assertThat(new SipHash24(1, 2).hash(counting(3))).isNotEqualTo(new SipHash24(1, 3).hash(counting(3)));
    }
}
