package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FlowKeyCodecTest {

    @Test
    void ipv4FlowLayoutHasZeroPadding() throws Exception {
        FlowKey key = new FlowKey(InetAddress.getByName("198.51.100.7"), InetAddress.getByName("203.0.113.1"),
                40000, 80, Protocol.TCP);
        byte[] bytes = key.encode();

        assertThat(bytes).hasSize(FlowKey.SIZE);
        assertThat(Arrays.copyOfRange(bytes, FlowKey.OFFSET_SRC, FlowKey.OFFSET_SRC + 4))
                .containsExactly(198, 51, 100, 7);
        assertThat(Arrays.copyOfRange(bytes, FlowKey.OFFSET_DST, FlowKey.OFFSET_DST + 4))
                .containsExactly(203, 0, 113, 1);
        assertThat(bytes[FlowKey.OFFSET_SPORT] & 0xff).isEqualTo(40000 >> 8);
        assertThat(bytes[FlowKey.OFFSET_SPORT + 1] & 0xff).isEqualTo(40000 & 0xff);
        assertThat(bytes[FlowKey.OFFSET_DPORT + 1]).isEqualTo((byte) 80);
        assertThat(bytes[FlowKey.OFFSET_PROTO]).isEqualTo((byte) 6);
        assertThat(bytes[FlowKey.OFFSET_FAMILY]).isEqualTo((byte) DataplaneAbi.AF_INET);
        assertThat(Arrays.copyOfRange(bytes, FlowKey.OFFSET_PAD, FlowKey.SIZE)).containsOnly(0);
        assertThat(FlowKey.decode(bytes)).isEqualTo(key);
    }

    @Test
    void ipv6FlowRoundTrips() throws Exception {
        FlowKey key = new FlowKey(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2"),
                1, 65535, Protocol.UDP);
        assertThat(FlowKey.decode(key.encode())).isEqualTo(key);
    }

    @Test
    void mixedFamiliesAreRejected() throws Exception {
        assertThatThrownBy(() -> new FlowKey(InetAddress.getByName("192.0.2.1"), InetAddress.getByName("::1"),
                1, 2, Protocol.TCP)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("families");
    }
}
