package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LbConfigEntryCodecTest {

    private static final byte[] MAC = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};

    private static LbConfigEntry sample() throws Exception {
        return new LbConfigEntry(MAC, 1600, (Inet4Address) InetAddress.getByName("172.16.0.1"), 0x0000ffff,
                (Inet6Address) InetAddress.getByName("fd00:1::1"), 0x000000ff, 3);
    }

    @Test
    void layoutMatchesTheAbi() throws Exception {
        byte[] bytes = sample().encode();
        assertThat(bytes).hasSize(LbConfigEntry.SIZE);
        assertThat(Arrays.copyOfRange(bytes, 0, LbConfigEntry.MAC_BYTES)).isEqualTo(MAC);
        ByteBuffer host = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertThat(host.getShort(LbConfigEntry.OFFSET_MTU)).isEqualTo((short) 1600);
        assertThat(Arrays.copyOfRange(bytes, LbConfigEntry.OFFSET_ENCAP_SRC4, LbConfigEntry.OFFSET_ENCAP_SRC4 + 4))
                .containsExactly(172, 16, 0, 1);
        // A __be32 mask: 0x0000ffff on the wire is 00 00 ff ff.
        assertThat(Arrays.copyOfRange(bytes, LbConfigEntry.OFFSET_ENCAP_SRC4_VARY,
                LbConfigEntry.OFFSET_ENCAP_SRC4_VARY + 4)).containsExactly(0, 0, 0xff, 0xff);
        assertThat(bytes[LbConfigEntry.OFFSET_ENCAP_SRC6]).isEqualTo((byte) 0xfd);
        assertThat(bytes[LbConfigEntry.OFFSET_ENCAP_SRC6_VARY + 3]).isEqualTo((byte) 0xff);
        assertThat(host.getInt(LbConfigEntry.OFFSET_FLAGS)).isEqualTo(3);
    }

    @Test
    void roundTripsAndComparesByContent() throws Exception {
        LbConfigEntry entry = sample();
        LbConfigEntry decoded = LbConfigEntry.decode(entry.encode());
        assertThat(decoded).isEqualTo(entry).hasSameHashCodeAs(entry);
        assertThat(decoded.toString()).contains("02:00:5e:10:20:30").contains("1600");
    }

    @Test
    void macArrayIsCopiedBothWays() throws Exception {
        byte[] mac = MAC.clone();
        LbConfigEntry entry = new LbConfigEntry(mac, 1500, (Inet4Address) InetAddress.getByName("10.0.0.1"), 0,
                (Inet6Address) InetAddress.getByName("::1"), 0, 0);
        mac[0] = 0x7f;
        entry.gatewayMac()[1] = 0x7f;
        assertThat(entry.gatewayMac()).isEqualTo(MAC);
    }

    @Test
    void rejectsBadMacAndMtu() {
        assertThatThrownBy(() -> new LbConfigEntry(new byte[5], 1500,
                (Inet4Address) InetAddress.getByName("10.0.0.1"), 0, (Inet6Address) InetAddress.getByName("::1"), 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LbConfigEntry(MAC, 70000,
                (Inet4Address) InetAddress.getByName("10.0.0.1"), 0, (Inet6Address) InetAddress.getByName("::1"), 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
