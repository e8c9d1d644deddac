package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {
    @Test
    void metricsListenOnLoopbackByDefault() throws Exception {
        SluiceConfig config = ConfigLoader.parse("interface: eth0\n");

        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(config.metricsListen()).hasValueSatisfying(a -> {
            assertThat(a.getAddress()).isEqualTo(loopback);
            assertThat(a.getPort()).isEqualTo(ConfigLimits.DEFAULT_METRICS_PORT);
        });
    }

    @Test
    void metricsCanMoveOrBeTurnedOff() throws Exception {
        assertThat(ConfigLoader.parse("interface: eth0\nmetrics: { listen: \"[::1]:9100\" }\n").metricsListen())
                .hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(9100));
        assertThat(ConfigLoader.parse("interface: eth0\nmetrics: { listen: \"off\" }\n").metricsListen()).isEmpty();
    }

    @Test
    void badListenAddressesNameTheField() {
        assertError("interface: eth0\nmetrics: { listen: \"localhost:9100\" }\n", "metrics.listen",
                "is not an IP address literal");
        assertError("interface: eth0\nmetrics: { listen: \"127.0.0.1\" }\n", "metrics.listen",
                "is not an address:port");
        assertError("interface: eth0\nmetrics: { listen: \"127.0.0.1:70000\" }\n", "metrics.listen",
                "is not an address:port");
        assertError("interface: eth0\nmetrics: { port: 9100 }\n", "metrics.port", "unknown key");
    }
}
