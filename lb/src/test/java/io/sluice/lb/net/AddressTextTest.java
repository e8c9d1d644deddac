package io.sluice.lb.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressTextTest {
    @Test
    void ipv6IsWrittenInTheShortForm() throws Exception {
        assertThat(AddressText.of(InetAddress.getByName("fd00:2:0:0:0:0:0:11"))).isEqualTo("fd00:2::11");
        assertThat(AddressText.of(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(AddressText.of(InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(AddressText.of(InetAddress.getByName("fd00::"))).isEqualTo("fd00::");
        assertThat(AddressText.of(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(AddressText.of(InetAddress.getByName("2001:0:0:1:0:0:0:1"))).as("longest run wins")
                .isEqualTo("2001:0:0:1::1");
        assertThat(AddressText.of(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).as("first of equal runs")
                .isEqualTo("2001:db8::1:0:0:1");
    }

    @Test
    void ipv4IsUnchanged() throws Exception {
        assertThat(AddressText.of(InetAddress.getByName("10.0.2.11"))).isEqualTo("10.0.2.11");
    }
}
