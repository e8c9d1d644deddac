package io.sluice.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.net.MacAddress;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String VALID = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:01"
            encap:
              source_v4: 172.16.0.0/16
              source_v6: "fd00:5c1c::/96"
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                backends:
                  - address: 10.0.2.11
                  - address: 10.0.2.12
                    weight: 7
              - name: dns
                address: "2001:db8::53"
                port: 53
                protocol: udp
                table_size: 13
                backends:
                  - address: "2001:db8:2::11"
            """;

    static Path examplePath() {
        return Path.of(System.getProperty("basedir", ".")).resolve("../packaging/sluice.yaml").normalize();
    }

    static List<ConfigError> errorsOf(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml));
        assertThat(e).as("expected a ConfigException for:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).contains(e.errors().get(0).field());
        return e.errors();
    }

    static void assertError(String yaml, String field, String reasonPart) {
        assertThat(errorsOf(yaml)).as("errors of:%n%s", yaml)
                .anySatisfy(error -> {
                    assertThat(error.field()).isEqualTo(field);
                    assertThat(error.reason()).contains(reasonPart);
                });
    }

    @Test
    void theShippedExampleParses() throws Exception {
        SluiceConfig config = ConfigLoader.load(examplePath());
        assertThat(config.interfaceName()).isEqualTo("eth0");
        assertThat(config.vips()).extracting(VipConfig::name).containsExactly("web", "dns");
        VipConfig web = config.vips().get(0);
        assertThat(web.backends()).extracting(BackendConfig::weight).containsExactly(100, 100, 50);
        assertThat(config.vips().get(1).protocol()).isEqualTo(Protocol.UDP);
        assertThat(config.vips().get(1).address()).isEqualTo(InetAddress.getByName("2001:db8:100::53"));
        assertThat(config.encap().sourceV6()).contains(Cidr.parse("fd00:5c1c::/96"));
    }

    @Test
    void validConfigKeepsEveryValue() throws Exception {
        SluiceConfig config = ConfigLoader.parse(VALID);
        assertThat(config.gatewayMac()).contains(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(config.encap().sourceV4()).contains(Cidr.parse("172.16.0.0/16"));
        VipConfig web = config.vips().get(0);
        assertThat(web.address()).isEqualTo(InetAddress.getByName("10.100.0.1"));
        assertThat(web.port()).isEqualTo(80);
        assertThat(web.protocol()).isEqualTo(Protocol.TCP);
        assertThat(web.tableSize()).isEqualTo(65_537);
        assertThat(web.backends()).containsExactly(
                new BackendConfig(InetAddress.getByName("10.0.2.11"), ConfigLimits.DEFAULT_WEIGHT),
                new BackendConfig(InetAddress.getByName("10.0.2.12"), 7));
        assertThat(config.vips().get(1).tableSize()).isEqualTo(13);
    }

    @Test
    void minimalConfigGetsDefaults() throws Exception {
        SluiceConfig config = ConfigLoader.load(Path.of(
                ConfigLoaderTest.class.getResource("/config/minimal.yaml").toURI()));
        assertThat(config.pinDir()).isEqualTo(Path.of("/sys/fs/bpf/sluice"));
        assertThat(config.xdpMode()).isEqualTo(XdpMode.AUTO);
        assertThat(config.gatewayMac()).isEmpty();
        assertThat(config.mtu()).isEqualTo(1500);
        assertThat(config.flowTableSize()).isEqualTo(262_144);
        assertThat(config.encap()).isEqualTo(EncapConfig.NONE);
        assertThat(config.vips()).isEmpty();
    }

    @Test
    void explicitSettingsOverrideDefaults() throws Exception {
        SluiceConfig config = ConfigLoader.parse("""
                interface: veth-lb1.0
                pin_dir: /sys/fs/bpf/lb2
                xdp_mode: generic
                mtu: 9000
                flow_table_size: 1024
                """);
        assertThat(config.interfaceName()).isEqualTo("veth-lb1.0");
        assertThat(config.pinDir()).isEqualTo(Path.of("/sys/fs/bpf/lb2"));
        assertThat(config.xdpMode()).isEqualTo(XdpMode.GENERIC);
        assertThat(config.mtu()).isEqualTo(9000);
        assertThat(config.flowTableSize()).isEqualTo(1024);
    }

    @Test
    void topLevelRules() {
        assertError("pin_dir: /x\n", "interface", "required");
        assertError("interface: abcdefghijklmnop\n", "interface", "\"abcdefghijklmnop\" is not an interface name");
        assertError("interface: 'eth 0'\n", "interface", "is not an interface name");
        assertError("interface: [eth0]\n", "interface", "must be a string, got a list");
        assertError("interface: no\n", "interface", "got a boolean");
        assertError("interface: eth0\npin_dir: sluice\n", "pin_dir", "must be an absolute path");
        assertError("interface: eth0\npin_dir: /sys/fs/bpf/../x\n", "pin_dir", "must be an absolute path");
        assertError("interface: eth0\nxdp_mode: fast\n", "xdp_mode", "\"fast\" is not an XDP mode");
        assertError("interface: eth0\ngateway_mac: aa:bb:cc\n", "gateway_mac", "is not a MAC address");
        assertError("interface: eth0\ngateway_mac: '01:00:5e:00:00:01'\n", "gateway_mac", "not a unicast MAC");
        assertError("interface: eth0\ngateway_mac: '00:00:00:00:00:00'\n", "gateway_mac", "not a unicast MAC");
        assertError("interface: eth0\nmtu: 1279\n", "mtu", "must be in 1280..9216, got 1279");
        assertError("interface: eth0\nmtu: 9217\n", "mtu", "must be in 1280..9216, got 9217");
        assertError("interface: eth0\nmtu: big\n", "mtu", "must be an integer, got \"big\"");
        assertError("interface: eth0\nmtu: 1500.5\n", "mtu", "must be an integer");
        assertError("interface: eth0\nmtu: 99999999999999999999999\n", "mtu", "must be in 1280..9216");
        assertError("interface: eth0\nflow_table_size: 1023\n", "flow_table_size", "must be in 1024..16777216");
        assertError("interface: eth0\nflow_table_size: 16777217\n", "flow_table_size", "must be in 1024..16777216");
        assertError("interface: eth0\ninterfce: eth1\n", "interfce", "unknown key (did you mean interface?)");
        assertError("interface: eth0\ncolour: blue\n", "colour", "unknown key (expected one of interface,");
        assertError("- a\n- b\n", "(root)", "must be a mapping");
        assertError("", ConfigLoader.YAML_FIELD, "empty");
    }

    @Test
    void encapRules() {
        String base = "interface: eth0\nencap:\n";
        assertError(base + "  source_v4: 172.16.0.1/16\n", "encap.source_v4", "has host bits set");
        assertError(base + "  source_v4: 'fd00::/96'\n", "encap.source_v4", "must be an IPv4 prefix");
        assertError(base + "  source_v4: 16.0.0.0/4\n", "encap.source_v4", "prefix length must be in 8..32, got /4");
        assertError(base + "  source_v4: 10.0.0.0/33\n", "encap.source_v4", "outside 0..32");
        assertError(base + "  source_v4: 10.0.0.0\n", "encap.source_v4", "is not a prefix");
        assertError(base + "  source_v6: 'fd00::/64'\n", "encap.source_v6", "prefix length must be in 96..128");
        assertError(base + "  source_v6: 10.0.0.0/8\n", "encap.source_v6", "must be an IPv6 prefix");
        assertError(base + "  source_v5: 10.0.0.0/8\n", "encap.source_v5", "unknown key (did you mean source_v4?)");
        assertError("interface: eth0\nencap: 10.0.0.0/8\n", "encap", "must be a mapping");
        assertError(VALID.replace("  source_v4: 172.16.0.0/16\n", ""), "encap.source_v4",
                "required: vips[0].backends[0] is an IPv4 backend");
        assertError(VALID.replace("  source_v6: \"fd00:5c1c::/96\"\n", ""), "encap.source_v6",
                "required: vips[1].backends[0] is an IPv6 backend");
    }

    @Test
    void vipRules() {
        assertError(VALID.replace("name: web", "name: Web!"), "vips[0].name", "\"Web!\" is not a VIP name");
        assertError(VALID.replace("  - name: web\n", "  - address_family: 4\n"), "vips[0].name", "required");
        assertError(VALID.replace("address: 10.100.0.1", "address: 10.100.0.x"), "vips[0].address",
                "\"10.100.0.x\" is not an IP address literal");
        assertError(VALID.replace("address: 10.100.0.1", "address: localhost"), "vips[0].address",
                "\"localhost\" is not an IP address literal");
        assertError(VALID.replace("address: 10.100.0.1", "address: 0.0.0.0"), "vips[0].address",
                "is not a unicast address");
        assertError(VALID.replace("port: 80", "port: 0"), "vips[0].port", "must be in 1..65535, got 0");
        assertError(VALID.replace("port: 80", "port: 65536"), "vips[0].port", "must be in 1..65535, got 65536");
        assertError(VALID.replace("    port: 80\n", ""), "vips[0].port", "required");
        assertError(VALID.replace("protocol: udp", "protocol: sctp"), "vips[1].protocol",
                "\"sctp\" is not a protocol");
        assertError(VALID.replace("table_size: 13", "table_size: 15"), "vips[1].table_size", "15 is not prime");
        assertError(VALID.replace("table_size: 13", "table_size: 2"), "vips[1].table_size", "must be in 3..655373");
        assertError(VALID.replace("table_size: 13", "table_size: 655379"), "vips[1].table_size",
                "must be in 3..655373");
        assertError(VALID.replace("tabel_size", "x").replace("table_size: 13", "tabel_size: 13"),
                "vips[1].tabel_size", "unknown key (did you mean table_size?)");
        assertError(VALID.replace("    port: 80\n", "    port: 80\n    table_size: 2\n")
                        .replace("table_size: 2", "table_size: 3")
                        .replace("      - address: 10.0.2.12\n", "      - address: 10.0.2.12\n      - address: 10.0.2.13\n"),
                "vips[0].table_size", "must be greater than the number of backends (3)");
        assertError("interface: eth0\nvips: web\n", "vips", "must be a list");
        assertError("interface: eth0\nvips:\n  - web\n", "vips[0]", "must be a mapping");
    }

    @Test
    void backendRules() {
        assertError(VALID.replace("address: 10.0.2.11", "address: 10.0.2.x"), "vips[0].backends[0].address",
                "\"10.0.2.x\" is not an IP address literal");
        assertError(VALID.replace("address: 10.0.2.11", "address: '::ffff:10.0.2.11'"),
                "vips[0].backends[0].address", "IPv4-mapped");
        assertError(VALID.replace("address: 10.0.2.11", "address: 224.0.0.1"), "vips[0].backends[0].address",
                "is not a unicast address");
        assertError(VALID.replace("weight: 7", "weight: -1"), "vips[0].backends[1].weight",
                "must be in 0..65535, got -1");
        assertError(VALID.replace("weight: 7", "weight: 65536"), "vips[0].backends[1].weight",
                "must be in 0..65535, got 65536");
        assertError(VALID.replace("address: 10.0.2.12", "address: 10.0.2.11"), "vips[0].backends[1].address",
                "duplicate backend 10.0.2.11 (also vips[0].backends[0])");
        assertError(VALID.replace("address: \"2001:db8:2::11\"", "address: \"2001:db8:2:0::11\"\n      - address: \"2001:db8:2::0:11\""),
                "vips[1].backends[1].address", "duplicate backend");
        assertError(VALID.replace("weight: 7", "wieght: 7"), "vips[0].backends[1].wieght",
                "unknown key (did you mean weight?)");
        assertError(VALID.replace("      - address: 10.0.2.11\n", "      - 10.0.2.11\n"), "vips[0].backends[0]",
                "must be a mapping");
        assertError(VALID.replace("weight: 7", "weight: 7\n        drain: yes please"), "vips[0].backends[1].drain",
                "must be true or false");
    }

    @Test
    void drainIsReadPerBackendAndDefaultsToInService() throws Exception {
        SluiceConfig config = ConfigLoader.parse(VALID.replace("weight: 7", "weight: 7\n        drain: true"));
        assertThat(config.vips().get(0).backends()).extracting(BackendConfig::drain).containsExactly(false, true);
    }

    @Test
    void drainSettingsArePerVipWithDefaults() throws Exception {
        SluiceConfig config = ConfigLoader.parse(VALID.replace("    port: 80\n",
                "    port: 80\n    drain_quiet_period: 5s\n    drain_timeout: 2m\n"));
        assertThat(config.vips().get(0).drain()).isEqualTo(new DrainSettings(Duration.ofSeconds(5), Duration.ofMinutes(2)));
        assertThat(config.vips().get(1).drain()).isEqualTo(DrainSettings.DEFAULTS);
        assertThat(DrainSettings.DEFAULTS).isEqualTo(new DrainSettings(Duration.ofSeconds(30), Duration.ofMinutes(10)));
    }

    @Test
    void drainSettingRules() {
        assertError(VALID.replace("    port: 80\n", "    port: 80\n    drain_quiet_period: 500ms\n"),
                "vips[0].drain_quiet_period", "must be at least 1s");
        assertError(VALID.replace("    port: 80\n", "    port: 80\n    drain_quiet_period: 1m\n    drain_timeout: 30s\n"),
                "vips[0].drain_timeout", "must be at least drain_quiet_period (60s)");
        assertError(VALID.replace("    port: 80\n", "    port: 80\n    drain_timeout: soon\n"),
                "vips[0].drain_timeout", "is not a duration");
        assertError(VALID.replace("    port: 80\n", "    port: 80\n    drain_quiet: 5s\n"),
                "vips[0].drain_quiet", "unknown key");
    }

    @Test
    void ipv6VipMayUseIpv4BackendsBecauseTheDataPlaneEncapsulatesSixInFour() throws Exception {
        SluiceConfig config = ConfigLoader.parse(VALID.replace("address: \"2001:db8:2::11\"", "address: 10.0.2.11"));
        assertThat(config.vips().get(1).backends().get(0).address()).isInstanceOf(java.net.Inet4Address.class);
    }

    @Test
    void crossVipRules() {
        String second = VALID.replace("name: dns", "name: web");
        assertError(second, "vips[1].name", "duplicate VIP name \"web\" (also vips[0])");
        String sameService = VALID + """
                  - name: web2
                    address: 10.100.0.1
                    port: 80
                    protocol: tcp
                """;
        assertError(sameService, "vips[2]", "same address, port and protocol as vips[0] (10.100.0.1 80/tcp)");
        String otherProtocol = sameService.replace("    protocol: tcp\n", "    protocol: udp\n");
        assertThat(parses(otherProtocol)).isTrue();
    }

    @Test
    void capacityLimits() {
        StringBuilder many = new StringBuilder("interface: eth0\nvips:\n");
        for (int i = 0; i <= ConfigLimits.MAX_VIPS; i++) {
            many.append("  - {name: v").append(i).append(", address: 10.1.").append(i / 256).append('.')
                    .append(i % 256).append(", port: 80}\n");
        }
        assertError(many.toString(), "vips", "at most 1024 VIPs fit the data plane, got 1025");

        StringBuilder backends = new StringBuilder("interface: eth0\nencap: {source_v4: 172.16.0.0/16}\nvips:\n");
        int half = ConfigLimits.MAX_BACKENDS / 2 + 1;
        for (int v = 0; v < 2; v++) {
            backends.append("  - name: v").append(v).append("\n    address: 10.100.0.").append(v + 1)
                    .append("\n    port: 80\n    backends:\n");
            for (int i = 0; i < half; i++) {
                int n = v * half + i;
                backends.append("      - {address: 10.").append(2 + n / 65536).append('.').append(n / 256 % 256)
                        .append('.').append(n % 256).append("}\n");
            }
        }
        assertError(backends.toString(), "vips", "at most 16384 backends, counted per VIP, fit the data plane, got 16386");
    }

    @Test
    void reportsEveryErrorAtOnce() {
        String bad = VALID.replace("interface: eth0", "interface: this-name-is-too-long")
                .replace("port: 80", "port: 0")
                .replace("address: 10.0.2.11", "address: 10.0.2.x")
                .replace("table_size: 13", "tabel_size: 13");
        List<ConfigError> errors = errorsOf(bad);
        assertThat(errors).extracting(ConfigError::field).contains(
                "interface", "vips[0].port", "vips[0].backends[0].address", "vips[1].tabel_size");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(bad));
        assertThat(e.getMessage()).contains("4 errors")
                .contains("vips[0].backends[0].address: \"10.0.2.x\" is not an IP address literal");
    }

    @Test
    void yamlSyntaxErrorsCarryLineAndColumn() {
        assertError("interface: eth0\nvips: [\n  {name: a\n", ConfigLoader.YAML_FIELD, "line ");
        assertError("interface: eth0\n  mtu: 1500\n", ConfigLoader.YAML_FIELD, "line 2, column");
        assertError("interface: eth0\ninterface: eth1\n", ConfigLoader.YAML_FIELD, "Duplicate field 'interface'");
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
    }

    @Test
    void loadReadsUtf8Files(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, VALID);
        assertThat(ConfigLoader.load(file)).isEqualTo(ConfigLoader.parse(VALID));
        assertThat(ConfigLoader.load(file).gatewayMac()).isEqualTo(Optional.of(MacAddress.parse("02:00:00:00:00:01")));
    }

    private static boolean parses(String yaml) {
        try {
            ConfigLoader.parse(yaml);
            return true;
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
