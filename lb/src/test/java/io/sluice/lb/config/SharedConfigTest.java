package io.sluice.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split between the local file and the fleet's shared document (consul.kv): who owns what, same checks. */
class SharedConfigTest {
    private static final String LOCAL = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:01"
            encap: {source_v4: 172.16.0.0/16}
            consul:
              kv: {prefix: fleets/edge-a}
            dos: {blocks_file: /var/lib/sluice/blocks-a.json}
            """;

    private static final String DOCUMENT = """
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                backends: [{address: 10.0.2.1, weight: 100}, {address: 10.0.2.2, weight: 50}]
            dos:
              deny: [198.51.100.0/24]
              source_packets: {rate: 1000, burst: 2000}
            """;

    private static List<String> errors(ConfigException e) {
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void theLocalFileNamesThePrefixAndTheDocumentKeyFollows() throws Exception {
        SluiceConfig local = ConfigLoader.parse(LOCAL);

        KvConfig kv = local.consul().kv().orElseThrow();
        assertThat(kv.prefix()).isEqualTo("fleets/edge-a");
        assertThat(kv.key()).isEqualTo("fleets/edge-a/config");
        assertThat(kv.cacheFile()).isEqualTo(KvConfig.DEFAULT_CACHE_FILE);
        assertThat(kv.maxDocumentBytes()).isEqualTo(512 * 1024);
        assertThat(local.vips()).isEmpty();
        assertThat(ConfigLoader.parse("interface: eth0").consul().kv()).isEmpty();
    }

    @Test
    void theDocumentBringsVipsAndDosAndTheHostKeepsItsOwnSettings() throws Exception {
        SluiceConfig local = ConfigLoader.parse(LOCAL);

        SluiceConfig merged = ConfigLoader.withShared(local, DOCUMENT);

        assertThat(merged.vips()).extracting(VipConfig::name).containsExactly("web");
        assertThat(merged.vips().get(0).backends()).extracting(b -> b.address().getHostAddress() + "/" + b.weight())
                .containsExactly("10.0.2.1/100", "10.0.2.2/50");
        assertThat(merged.dos().deny()).extracting(Cidr::toString).containsExactly("198.51.100.0/24");
        assertThat(merged.dos().sourcePackets().rate()).isEqualTo(1000);
        assertThat(merged.dos().blocksFile()).as("host state stays the host's")
                .isEqualTo(Path.of("/var/lib/sluice/blocks-a.json"));
        assertThat(merged.interfaceName()).isEqualTo("eth0");
        assertThat(merged.consul()).isEqualTo(local.consul());
        assertThat(ConfigLoader.withShared(local, DOCUMENT)).as("a pure function of file and document")
                .isEqualTo(merged);
    }

    @Test
    void aFileThatAlsoDefinesVipsOrDosRulesIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.parse(LOCAL + """
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: 10.0.2.1}]}
                """.replace("dos: {blocks_file: /var/lib/sluice/blocks-a.json}\n", "")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e)).containsExactly(
                        "vips: comes from Consul KV key fleets/edge-a/config (consul.kv.prefix is set): define it "
                                + "there, not in this file"));
        assertThatThrownBy(() -> ConfigLoader.parse(LOCAL.replace("dos: {blocks_file: /var/lib/sluice/blocks-a.json}",
                "dos: {blocks_file: /var/lib/sluice/b.json, deny: [192.0.2.0/24]}")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e)).containsExactly(
                        "dos.deny: comes from Consul KV key fleets/edge-a/config (consul.kv.prefix is set): define it "
                                + "there (only dos.blocks_file stays in this file)"));
    }

    @Test
    void aBadPrefixOrLimitIsNamedByItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                interface: eth0
                consul: {kv: {prefix: /fleets/../x/, max_document_bytes: 10, cache: /x}}
                """)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e))
                .anyMatch(x -> x.startsWith("consul.kv.prefix: \"/fleets/../x/\" is not a KV prefix"))
                .contains("consul.kv.max_document_bytes: must be in 1024..16777216, got 10")
                .anyMatch(x -> x.startsWith("consul.kv.cache: unknown key")));
        assertThatThrownBy(() -> ConfigLoader.parse("interface: eth0\nconsul: {kv: {}}\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e))
                        .containsExactly("consul.kv.prefix: required"));
    }

    @Test
    void theDocumentHasTheFilesSchemaAndEveryErrorIsNamedByItsPathInTheDocument() throws Exception {
        SluiceConfig local = ConfigLoader.parse(LOCAL);

        assertThatThrownBy(() -> ConfigLoader.withShared(local, """
                interface: eth1
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: 10.0.2.1}]}
                  - {name: api, address: 10.100.0.2, port: 70000, backends: [{address: 10.0.2.x}]}
                  - {name: v6, address: "fd00::10", port: 80, backends: [{address: "fd00:2::1"}]}
                dos: {blocks_file: /tmp/x.json, deny: [nonsense]}
                """)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e))
                .anyMatch(x -> x.startsWith("interface: unknown key"))
                .contains("vips[1].port: must be in 1..65535, got 70000")
                .anyMatch(x -> x.startsWith("vips[1].backends[0].address: \"10.0.2.x\""))
                .anyMatch(x -> x.startsWith("dos.deny[0]:"))
                .contains("dos.blocks_file: a host setting: set it in each host's local config file")
                .contains("encap.source_v6: required: vips[2].backends[0] is an IPv6 backend"));
    }

    @Test
    void yamlErrorsAndAnEmptyDocumentAreReportedAsYaml() throws Exception {
        SluiceConfig local = ConfigLoader.parse(LOCAL);

        assertThatThrownBy(() -> ConfigLoader.withShared(local, "vips: [\n  {name: web"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                        .allMatch(x -> x.field().equals(ConfigLoader.YAML_FIELD)));
        assertThatThrownBy(() -> ConfigLoader.withShared(local, ""))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(errors(e))
                        .containsExactly("(yaml): the configuration is empty"));
        assertThat(ConfigLoader.withShared(local, "vips: []\n").vips()).as("no VIPs is said explicitly").isEmpty();
    }
}
