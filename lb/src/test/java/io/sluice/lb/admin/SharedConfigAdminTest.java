package io.sluice.lb.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.client.AdminClient;
import io.sluice.lb.admin.client.AdminClient.Response;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.consul.SharedDocument;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API on a host whose VIPs come from the fleet's shared document (consul.kv). */
class SharedConfigAdminTest {
    private static final String KEY = "fleets/edge-a/config";
    private static final String LOCAL = """
            interface: eth0
            encap: {source_v4: 172.16.0.0/16}
            consul:
              address: "http://127.0.0.1:1"
              kv: {prefix: fleets/edge-a}
            dos: {blocks_file: /var/lib/sluice/blocks-a.json}
            """;
    private static final String DOCUMENT = """
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                table_size: 7
                backends: [{address: 10.0.2.11}, {address: 10.0.2.12, weight: 50}]
            dos: {deny: [198.51.100.0/24]}
            """;

    @TempDir
    Path dir;
    private AdminTestServer server;
    private AdminClient client;

    @BeforeEach
    void start() throws Exception {
        server = new AdminTestServer(dir, LOCAL, true, Optional.empty());
        SluiceConfig local = ConfigLoader.parse(LOCAL);
        SluiceConfig merged = ConfigLoader.withShared(local, DOCUMENT);
        server.applier.shared(KEY, new SharedDocument(KEY, 42, DOCUMENT, SharedDocument.FROM_CONSUL));
        server.applier.publishConfig(local, merged);
        client = server.client();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private void assertRefusedNamingTheKey(Response r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.json().path("error").asText()).contains("Consul KV key " + KEY)
                .contains("change that document");
        assertThat(server.fileText()).as("the file is not touched").isEqualTo(LOCAL);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void editsOfVipsBackendsAndDosRulesAreRefusedNamingTheKey() throws Exception {
        assertRefusedNamingTheKey(client.send("POST", "/v1/vips", """
                {"name": "api", "address": "10.100.0.2", "port": 8443, "backends": [{"address": "10.0.2.21"}]}"""));
        assertRefusedNamingTheKey(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 5}"));
        assertRefusedNamingTheKey(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"drain\": true}"));
        assertRefusedNamingTheKey(client.send("DELETE", "/v1/vips/web/backends/10.0.2.12", null));
        assertRefusedNamingTheKey(client.send("POST", "/v1/vips/web/backends", "{\"address\": \"10.0.2.13\"}"));
        assertRefusedNamingTheKey(client.send("DELETE", "/v1/vips/web", null));
    }

    @Test
    void readsShowTheSharedVipsAndConfigShowTheEffectiveConfig() throws Exception {
        assertThat(client.get("/v1/vips").json().findValuesAsText("name")).containsExactly("web");

        JsonNode config = client.get("/v1/config").json();

        assertThat(config.path("source").asText()).isEqualTo("consul_kv");
        assertThat(config.path("kv_key").asText()).isEqualTo(KEY);
        assertThat(config.path("kv_modify_index").asLong()).isEqualTo(42);
        assertThat(config.path("file_text").asText()).isEqualTo(LOCAL);
        assertThat(config.path("kv_document").asText()).isEqualTo(DOCUMENT);
        String text = config.path("text").asText();
        assertThat(text).startsWith("# effective config: " + server.configFile + " with vips and dos from Consul KV key "
                + KEY + " (ModifyIndex 42, from consul)");
        JsonNode effective = AdminJson.YAML.readTree(text);
        assertThat(effective.path("interface").asText()).isEqualTo("eth0");
        assertThat(effective.path("consul").path("kv").path("prefix").asText()).isEqualTo("fleets/edge-a");
        assertThat(effective.path("vips").get(0).path("name").asText()).isEqualTo("web");
        assertThat(effective.path("vips").get(0).path("backends")).hasSize(2);
        assertThat(effective.path("dos").path("deny").get(0).asText()).isEqualTo("198.51.100.0/24");
        assertThat(effective.path("dos").path("blocks_file").asText()).isEqualTo("/var/lib/sluice/blocks-a.json");
    }

    @Test
    void aReloadOfTheLocalFileStillGoesToTheDaemon() throws Exception {
        Response r = client.send("POST", "/v1/config/reload", null);

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(server.reconciles()).isEqualTo(1);
    }
}
