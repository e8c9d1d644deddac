package io.sluice.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesPrefixes() throws Exception {
        Cidr v4 = Cidr.parse("172.16.0.0/16");
        assertThat(v4.network()).isEqualTo(InetAddress.getByName("172.16.0.0"));
        assertThat(v4.prefixLength()).isEqualTo(16);
        assertThat(v4.hostBits()).isEqualTo(16);
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4).hasToString("172.16.0.0/16");
        Cidr v6 = Cidr.parse("fd00:5c1c::/96");
        assertThat(v6.isIpv4()).isFalse();
        assertThat(v6.hostBits()).isEqualTo(32);
        assertThat(Cidr.parse("10.0.0.1/32").hostBits()).isZero();
    }

    @Test
    void rejectsMalformedPrefixes() {
        assertThatThrownBy(() -> Cidr.parse("172.16.0.0")).hasMessageContaining("expected address/length");
        assertThatThrownBy(() -> Cidr.parse("172.16.0.0/")).hasMessageContaining("no valid prefix length");
        assertThatThrownBy(() -> Cidr.parse("172.16.0.0/x")).hasMessageContaining("no valid prefix length");
        assertThatThrownBy(() -> Cidr.parse("172.16.0.0/33")).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> Cidr.parse("fd00::/129")).hasMessageContaining("outside 0..128");
        assertThatThrownBy(() -> Cidr.parse("172.16.0.1/16")).hasMessageContaining("host bits set");
        assertThatThrownBy(() -> Cidr.parse("fd00::1/96")).hasMessageContaining("host bits set");
        assertThatThrownBy(() -> Cidr.parse("host.example/8")).hasMessageContaining("not an IP address literal");
    }
}
