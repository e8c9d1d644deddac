package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VipKeyCodecTest {

    @Test
    void ipv4KeyPutsAddressFirstPortInNetworkOrderAndFamily() throws Exception {
        VipKey key = new VipKey(InetAddress.getByName("10.1.2.3"), 8080, Protocol.TCP);
        byte[] bytes = key.encode();

        assertThat(bytes).hasSize(VipKey.SIZE);
        assertThat(Arrays.copyOfRange(bytes, VipKey.OFFSET_ADDR, VipKey.OFFSET_ADDR + 4))
                .containsExactly(10, 1, 2, 3);
        assertThat(Arrays.copyOfRange(bytes, 4, VipKey.OFFSET_PORT)).containsOnly(0);
        assertThat(bytes[VipKey.OFFSET_PORT] & 0xff).isEqualTo(8080 >> 8);
        assertThat(bytes[VipKey.OFFSET_PORT + 1] & 0xff).isEqualTo(8080 & 0xff);
        assertThat(bytes[VipKey.OFFSET_PROTO]).isEqualTo((byte) Protocol.TCP.number());
        assertThat(bytes[VipKey.OFFSET_FAMILY]).isEqualTo((byte) DataplaneAbi.AF_INET);
        assertThat(VipKey.decode(bytes)).isEqualTo(key);
    }

    @Test
    void ipv6KeyRoundTrips() throws Exception {
        InetAddress address = InetAddress.getByName("2001:db8::17");
        VipKey key = new VipKey(address, 443, Protocol.UDP);
        byte[] bytes = key.encode();

        assertThat(Arrays.copyOfRange(bytes, 0, 16)).isEqualTo(address.getAddress());
        assertThat(bytes[VipKey.OFFSET_FAMILY]).isEqualTo((byte) DataplaneAbi.AF_INET6);
        assertThat(key.family()).isEqualTo(DataplaneAbi.AF_INET6);
        assertThat(VipKey.decode(bytes)).isEqualTo(key);
    }

    @Test
    void highPortsSurviveAsUnsigned() throws Exception {
        VipKey key = new VipKey(InetAddress.getByName("192.0.2.1"), 65535, Protocol.UDP);
        assertThat(VipKey.decode(key.encode()).port()).isEqualTo(65535);
    }

    @Test
    void rejectsWrongSizesAndUnknownFamilyOrPort() throws Exception {
        assertThatThrownBy(() -> VipKey.decode(new byte[VipKey.SIZE - 1]))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] bytes = new VipKey(InetAddress.getByName("192.0.2.1"), 80, Protocol.TCP).encode();
        bytes[VipKey.OFFSET_FAMILY] = 7;
        assertThatThrownBy(() -> VipKey.decode(bytes)).hasMessageContaining("family 7");
        assertThatThrownBy(() -> new VipKey(InetAddress.getByName("192.0.2.1"), 65536, Protocol.TCP))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
