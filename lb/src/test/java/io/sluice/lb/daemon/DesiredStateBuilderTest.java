package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.net.MacAddress;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DesiredStateBuilderTest {
    private static final String YAML = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:03"
            mtu: 1600
            encap:
              source_v4: 10.0.2.128/25
              source_v6: "fd00:2::8000:0/97"
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                protocol: tcp
                table_size: 65537
                backends:
                  - address: 10.0.2.11
                  - address: fd00:2::12
                    weight: 7
            """;

    @Test
    void mapsSettingsAndVips() throws Exception {
        SluiceConfig config = ConfigLoader.parse(YAML);

        DesiredState state = new DesiredStateBuilder(iface -> {
            throw new AssertionError("gateway is configured: no resolution expected");
        }).build(config);

        LbConfigEntry settings = state.settings();
        assertThat(settings.gatewayMac()).containsExactly(2, 0, 0, 0, 0, 3);
        assertThat(settings.mtu()).isEqualTo(1600);
        assertThat(settings.encapSource4()).isEqualTo(InetAddress.getByName("10.0.2.128"));
        assertThat(settings.encapSource4Vary()).isEqualTo(0x7f);
        assertThat(settings.encapSource6()).isEqualTo(InetAddress.getByName("fd00:2::8000:0"));
        assertThat(settings.encapSource6Vary()).isEqualTo(0x7fffffff);
        DesiredVip web = state.vips().get(0);
        assertThat(web.key().protocol()).isEqualTo(Protocol.TCP);
        assertThat(web.key().port()).isEqualTo(80);
        assertThat(web.tableSize()).isEqualTo(65537);
        assertThat(web.backends()).extracting(b -> b.weight()).containsExactly(100, 7);
        assertThat(web.backends().get(1).identity()).isEqualTo("[fd00:2:0:0:0:0:0:12]");
    }

    @Test
    void autoGatewayIsResolvedForTheConfiguredInterface() throws Exception {
        SluiceConfig config = ConfigLoader.parse(YAML.replace("\"02:00:00:00:00:03\"", "auto"));
        AtomicInteger calls = new AtomicInteger();

        DesiredState state = new DesiredStateBuilder(iface -> {
            calls.incrementAndGet();
            assertThat(iface).isEqualTo("eth0");
            return MacAddress.parse("0a:0b:0c:0d:0e:0f");
        }).build(config);

        assertThat(calls).hasValue(1);
        assertThat(state.settings().gatewayMac()).containsExactly(0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f);
    }

    @Test
    void varyMaskCoversTheHostBits() {
        assertThat(DesiredStateBuilder.varyMask(0)).isZero();
        assertThat(DesiredStateBuilder.varyMask(16)).isEqualTo(0xffff);
        assertThat(DesiredStateBuilder.varyMask(32)).isEqualTo(-1);
    }
}
