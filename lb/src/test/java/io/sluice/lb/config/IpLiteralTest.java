package io.sluice.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {
    @ParameterizedTest
    @ValueSource(strings = {"10.0.2.11", "0.0.0.0", "255.255.255.255", "192.168.1.0"})
    void parsesIpv4LikeTheJdkDoesForLiterals(String text) throws Exception {
        InetAddress parsed = IpLiteral.parse(text);
        assertThat(parsed).isInstanceOf(Inet4Address.class).isEqualTo(InetAddress.getByName(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "2001:db8::1", "fd00:5c1c::", "1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6::8",
        "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "64:ff9b::192.0.2.33", "::192.0.2.33", "FD00::ABCD", "1:2:3:4:5:6:1.2.3.4"})
    void parsesIpv6LikeTheJdkDoesForLiterals(String text) throws Exception {
        InetAddress parsed = IpLiteral.parse(text);
        assertThat(parsed).isInstanceOf(Inet6Address.class).isEqualTo(InetAddress.getByName(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.2.x", "localhost", "example.com", "10.0.2", "10.0.2.11.5", "256.0.0.1", "010.0.0.1",
        "1.2.3.-4", "", " 10.0.0.1", "10.0.0.1 ", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1", "::1%eth0",
        "[::1]", "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", ":1::", "1:", "+1.2.3.4"})
    void rejectsAnythingButALiteral(String text) {
        assertThatThrownBy(() -> IpLiteral.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an IP address literal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:10.0.0.1", "::ffff:a00:1"})
    void rejectsIpv4MappedAddresses(String text) {
        assertThatThrownBy(() -> IpLiteral.parse(text)).hasMessageContaining("IPv4-mapped");
    }
}
