package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.dataplane.DosRate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The `dos:` section and the VIPs' `dos:` key. */
class DosConfigTest {
    private static final String VIP = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:01"
            encap:
              source_v4: 172.16.0.0/16
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                backends:
                  - address: 10.0.2.11
            """;

    @Test
    void withoutASectionSanityIsOnAndNothingElse() throws ConfigException {
        DosConfig dos = ConfigLoader.parse(VIP).dos();
        assertThat(dos).isEqualTo(DosConfig.DEFAULT);
        assertThat(dos.tcpFlags()).isTrue();
        assertThat(dos.reflectionPorts()).contains(19, 123, 389, 1900, 11211);
        assertThat(ConfigLoader.parse(VIP).vips().get(0).dos()).isEqualTo(VipDosConfig.DEFAULT);
    }

    @Test
    void readsEveryKey() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse(VIP.replace("    backends:",
                "    dos:\n      new_flows: {rate: 5000, burst: 8000}\n      fragments: pass\n"
                        + "      reflection_ports: [123]\n    backends:") + """
                dos:
                  allow: [192.0.2.0/24, "2001:db8::/32"]
                  deny: [198.51.100.0/24, 203.0.113.7/32]
                  source_packets: {rate: 1000, burst: 2000}
                  source_new_flows: {rate: 50}
                  tcp_flags: false
                  reflection_ports: [19, 11211]
                  auto_block: {packets_per_second: 20000, duration: 10m, max_blocks: 100}
                """);
        DosConfig dos = config.dos();
        assertThat(dos.allow()).extracting(Object::toString).containsExactly("192.0.2.0/24", "2001:db8:0:0:0:0:0:0/32");
        assertThat(dos.deny()).extracting(Object::toString).containsExactly("198.51.100.0/24", "203.0.113.7/32");
        assertThat(dos.sourcePackets()).isEqualTo(new DosRate(1000, 2000));
        assertThat(dos.sourceNewFlows()).as("burst defaults to one second").isEqualTo(new DosRate(50, 50));
        assertThat(dos.tcpFlags()).isFalse();
        assertThat(dos.reflectionPorts()).containsExactly(19, 11211);
        assertThat(dos.autoBlock()).isEqualTo(new DosConfig.AutoBlock(20000, Duration.ofMinutes(10), 100));
        assertThat(config.vips().get(0).dos()).isEqualTo(new VipDosConfig(new DosRate(5000, 8000), true, List.of(123)));
    }

    @Test
    void badValuesAreReportedWithTheirField() {
        assertError(VIP + "dos: {deny: [10.0.0.1/33]}\n", "dos.deny[0]", "prefix length 33");
        assertError(VIP + "dos: {deny: [10.0.0.1/8]}\n", "dos.deny[0]", "host bits");
        assertError(VIP + "dos: {allow: [bogus]}\n", "dos.allow[0]", "not a prefix");
        assertError(VIP + "dos: {deny: [10.0.0.0/8, 10.0.0.0/8]}\n", "dos.deny[1]", "duplicate");
        assertError(VIP + "dos: {source_packets: {rate: 0}}\n", "dos.source_packets.rate", "1..");
        assertError(VIP + "dos: {source_packets: {burst: 5}}\n", "dos.source_packets.rate", "required");
        assertError(VIP + "dos: {source_new_flows: {rate: 10, brust: 5}}\n", "dos.source_new_flows.brust",
                "did you mean burst");
        assertError(VIP + "dos: {reflection_ports: [0]}\n", "dos.reflection_ports[0]", "port");
        assertError(VIP + "dos: {auto_block: {duration: 5m}}\n", "dos.auto_block.packets_per_second", "required");
        assertError(VIP + "dos: {auto_block: {packets_per_second: 10, duration: 0s}}\n", "dos.auto_block.duration",
                "between");
        assertError(VIP + "dos: {tcp_flags: maybe}\n", "dos.tcp_flags", "true or false");
        assertError(VIP + "dos: [1]\n", "dos", "mapping");
        assertError(VIP.replace("    backends:", "    dos: {fragments: keep}\n    backends:"), "vips[0].dos.fragments",
                "drop or pass");
        assertError(VIP.replace("    backends:", "    dos: {reflection_ports: [1, 2, 3, 4, 5]}\n    backends:"),
                "vips[0].dos.reflection_ports", "at most 4");
    }
}
