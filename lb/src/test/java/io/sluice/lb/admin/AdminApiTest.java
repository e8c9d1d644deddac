package io.sluice.lb.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.client.AdminClient;
import io.sluice.lb.admin.client.AdminClient.Response;
import io.sluice.lb.config.AdminConfig;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over a real Unix socket: every resource, every change, bad input leaves all as it was. */
class AdminApiTest {
    @TempDir
    Path dir;

    private AdminTestServer server;
    private AdminClient client;

    @BeforeEach
    void start() throws Exception {
        server = new AdminTestServer(dir);
        client = server.client();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private SluiceConfig fileConfig() throws Exception {
        return ConfigLoader.load(server.configFile);
    }

    /** Bad input: 4xx naming the field, and nothing changed: file, running config, reconciles. */
    private void assertRefusedAndUnchanged(Response r, int status, String field) throws Exception {
        String before = server.fileText();
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        if (field != null) {
            assertThat(r.json().path("errors").findValuesAsText("field")).as(r.body()).contains(field);
        }
        assertThat(r.json().path("error").asText()).isNotEmpty();
        assertThat(server.fileText()).isEqualTo(before);
        assertThat(server.fileText()).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(server.reconciles()).isZero();
        assertThat(Files.exists(ConfigFile.backupOf(server.configFile))).isFalse();
        assertThat(server.applier.config()).isEqualTo(ConfigLoader.parse(AdminTestServer.BASE_CONFIG));
    }

    @Test
    void socketIsRestrictedToOwnerAndGroup() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.socket))).isEqualTo("rw-rw----");
    }

    @Test
    void statusShowsTheDataPlaneAndVersions() throws Exception {
        Response r = client.get("/v1/status");
        assertThat(r.status()).isEqualTo(200);
        JsonNode s = r.json();
        assertThat(s.path("attached").asBoolean()).isTrue();
        assertThat(s.path("interface_name").asText()).isEqualTo("eth0");
        assertThat(s.path("xdp_mode").asText()).isEqualTo("auto");
        assertThat(s.path("version").asText()).isEqualTo("test");
        assertThat(s.path("java").asText()).startsWith("Java 17");
        assertThat(s.path("kernel").asText()).startsWith("Linux ");
        assertThat(s.path("abi_version").asInt()).isEqualTo(io.sluice.lb.dataplane.DataplaneAbi.ABI_VERSION);
        assertThat(s.path("vips").asInt()).isEqualTo(2);
        assertThat(s.path("backends").asInt()).isEqualTo(3);
        assertThat(s.path("started_at").asText()).isEqualTo(ApplierDouble.STARTED_AT);
        assertThat(s.path("uptime_seconds").asLong()).isPositive();
        assertThat(s.path("config_file").asText()).isEqualTo(server.configFile.toString());
    }

    @Test
    void statusBeforeTheDaemonsFirstSnapshotIs503() throws Exception {
        Path other = Files.createDirectory(dir.resolve("starting"));
        try (AdminTestServer starting = new AdminTestServer(other, AdminTestServer.BASE_CONFIG, false,
                Optional.empty());
             AdminClient c = starting.client()) {
            assertThat(c.get("/v1/status").status()).isEqualTo(503);
            assertThat(c.get("/v1/stats").status()).isEqualTo(503);
            assertThat(c.get("/v1/vips").status()).isEqualTo(200); // the config is known from the start
        }
    }

    @Test
    void listsVipsWithBackendsWeightsHealthDrainAndCounters() throws Exception {
        server.setPacketsPerBackend(5);
        JsonNode vips = client.get("/v1/vips").json();
        assertThat(vips.findValuesAsText("name")).containsExactly("web", "web6");
        JsonNode web = vips.get(0);
        assertThat(web.path("address").asText()).isEqualTo("10.100.0.1");
        assertThat(web.path("packets").asLong()).isEqualTo(10);
        assertThat(web.path("table_fingerprint").asText()).isEqualTo(AdminTestServer.fingerprintOf("web"));
        JsonNode be2 = web.path("backends").get(1);
        assertThat(be2.path("address").asText()).isEqualTo("10.0.2.12");
        assertThat(be2.path("weight").asInt()).isEqualTo(50);
        assertThat(be2.path("effective_weight").asInt()).isEqualTo(50);
        assertThat(be2.path("drain").asBoolean()).isFalse();
        assertThat(be2.path("health").asText()).isEqualTo("unchecked");
        assertThat(be2.path("packets").asLong()).isEqualTo(5);
        assertThat(be2.has("last_check")).isTrue();

        assertThat(client.get("/v1/vips/web6").json().path("backends").get(0).path("address").asText())
                .isEqualTo("fd00:2::11");
        assertThat(client.get("/v1/vips/web/backends").json()).hasSize(2);
        assertThat(client.get("/v1/backends").json().findValuesAsText("vip")).containsExactly("web", "web", "web6");
        assertThat(client.get("/v1/vips/web/backends/10.0.2.11").json().path("weight").asInt()).isEqualTo(100);
        assertThat(client.get("/v1/vips/web6/backends/fd00%3A2%3A%3A11").status()).isEqualTo(200);
        assertThat(client.get("/v1/vips/web6/backends/fd00:2:0::11").status()).isEqualTo(200);
    }

    @Test
    void unknownVipsAndBackendsAre404() throws Exception {
        assertThat(client.get("/v1/vips/nope").status()).isEqualTo(404);
        assertThat(client.get("/v1/vips/nope/backends").status()).isEqualTo(404);
        assertThat(client.get("/v1/vips/web/backends/10.9.9.9").status()).isEqualTo(404);
        assertThat(client.get("/v1/vips/web/backends/10.9.9.9").json().path("error").asText()).contains("10.9.9.9");
    }

    @Test
    void unknownResourceIs404AndWrongMethodIs405() throws Exception {
        Response missing = client.get("/v1/nothing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").asText()).contains("/v1/nothing");
        assertThat(client.get("/vips").status()).isEqualTo(404);
        Response wrong = client.send("DELETE", "/v1/vips", null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.json().path("error").asText()).contains("allowed: GET, POST");
        assertThat(client.send("PUT", "/v1/status", "{}").status()).isEqualTo(405);
        assertThat(client.get("/v1/config/reload").status()).isEqualTo(405);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void addVipWritesTheFileKeepsABackupAndAppliesOnce() throws Exception {
        Response r = client.send("POST", "/v1/vips", """
                {"name": "api", "address": "10.100.0.2", "port": 8443, "table_size": 7,
                 "backends": [{"address": "10.0.2.21"}, {"address": "10.0.2.22", "weight": 10}]}""");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("name").asText()).isEqualTo("api");
        assertThat(r.json().path("backends")).hasSize(2);
        assertThat(server.reconciles()).isEqualTo(1);
        assertThat(fileConfig().vips()).extracting(v -> v.name()).containsExactly("web", "web6", "api");
        assertThat(fileConfig()).isEqualTo(server.applier.config());
        assertThat(Files.readString(ConfigFile.backupOf(server.configFile))).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(client.get("/v1/vips").json().findValuesAsText("name")).containsExactly("web", "web6", "api");
    }

    @Test
    void whatIsWrittenReadsBackExactly() throws Exception {
        String argument = "--label=" + "x  y ".repeat(40) + "\"quoted\" 'single' on no yes ~ #hash: colon";
        Response r = client.send("POST", "/v1/vips", AdminJson.write(java.util.Map.of("name", "cmd",
                "address", "10.100.0.3", "port", 80, "table_size", 7,
                "health_check", java.util.Map.of("type", "command",
                        "command", java.util.List.of("/bin/true", argument)),
                "backends", java.util.List.of(java.util.Map.of("address", "10.0.2.31")))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        var check = fileConfig().vips().get(2).backends().get(0).healthCheck().orElseThrow();
        assertThat(((io.sluice.health.check.CommandCheck) check.spec().kind()).command())
                .containsExactly("/bin/true", argument);
        assertThat(fileConfig().interfaceName()).isEqualTo("eth0");
        assertThat(fileConfig().vips().get(1).address()).isEqualTo(InetAddress.getByName("fd00:100::1"));
    }

    @Test
    void addVipWithABadPortNamesTheFieldAndChangesNothing() throws Exception {
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips",
                "{\"name\": \"api\", \"address\": \"10.100.0.2\", \"port\": 70000}"), 400, "vips[2].port");
    }

    @Test
    void addVipWithADuplicateNameOrServiceIsRefused() throws Exception {
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips",
                "{\"name\": \"web\", \"address\": \"10.100.0.9\", \"port\": 80}"), 400, "vips[2].name");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips",
                "{\"name\": \"other\", \"address\": \"10.100.0.1\", \"port\": 80}"), 400, null);
    }

    @Test
    void addVipWithAnUnknownKeyOrNonObjectOrBrokenJsonIsRefused() throws Exception {
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips",
                "{\"name\": \"api\", \"address\": \"10.100.0.2\", \"port\": 81, \"tabel_size\": 7}"), 400,
                "vips[2].tabel_size");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips", "[1, 2]"), 400, "(body)");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips", "{\"name\": "), 400, "(body)");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips", ""), 400, "(body)");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips", "{\"a\": 1, \"a\": 2}"), 400, "(body)");
    }

    @Test
    void deleteVip() throws Exception {
        Response r = client.send("DELETE", "/v1/vips/web", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(fileConfig().vips()).extracting(v -> v.name()).containsExactly("web6");
        assertThat(client.get("/v1/vips/web").status()).isEqualTo(404);
        assertThat(server.reconciles()).isEqualTo(1);
    }

    @Test
    void deleteUnknownVipIs404AndChangesNothing() throws Exception {
        assertRefusedAndUnchanged(client.send("DELETE", "/v1/vips/nope", null), 404, null);
    }

    @Test
    void addBackend() throws Exception {
        Response r = client.send("POST", "/v1/vips/web/backends", "{\"address\": \"10.0.2.13\", \"weight\": 7}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("weight").asInt()).isEqualTo(7);
        assertThat(r.json().path("vip").asText()).isEqualTo("web");
        assertThat(fileConfig().vips().get(0).backends()).hasSize(3);
        assertThat(fileConfig().vips().get(0).backends().get(2).address())
                .isEqualTo(InetAddress.getByName("10.0.2.13"));
    }

    @Test
    void addBackendBadInputNamesTheField() throws Exception {
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips/web/backends",
                "{\"address\": \"10.0.2.13\", \"weight\": -1}"), 400, "vips[0].backends[2].weight");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips/web/backends",
                "{\"address\": \"10.0.2.11\"}"), 400, "vips[0].backends[2].address");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips/web/backends",
                "{\"address\": \"not-an-ip\"}"), 400, "vips[0].backends[2].address");
        assertRefusedAndUnchanged(client.send("POST", "/v1/vips/nope/backends",
                "{\"address\": \"10.0.2.13\"}"), 404, null);
    }

    @Test
    void setWeight() throws Exception {
        Response r = client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 5}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("weight").asInt()).isEqualTo(5);
        assertThat(fileConfig().vips().get(0).backends().get(0).weight()).isEqualTo(5);
        assertThat(server.reconciles()).isEqualTo(1);
    }

    @Test
    void setWeightOutOfRangeOrWrongTypeOrOtherKeyIsRefused() throws Exception {
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 70000}"),
                400, "vips[0].backends[0].weight");
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": \"x\"}"),
                400, "vips[0].backends[0].weight");
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"address\": \"1.2.3.4\"}"),
                400, "address");
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{}"), 400, "(body)");
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.99", "{\"weight\": 1}"),
                404, null);
    }

    @Test
    void drainAndUndrainSetTheBackendsDrainKey() throws Exception {
        Response drained = client.send("PATCH", "/v1/vips/web6/backends/fd00:2::11", "{\"drain\": true}");
        assertThat(drained.status()).as(drained.body()).isEqualTo(200);
        assertThat(drained.json().path("drain").asBoolean()).isTrue();
        assertThat(fileConfig().vips().get(1).backends().get(0).drain()).isTrue();
        assertThat(client.get("/v1/vips/web6/backends/fd00:2::11").json().path("drain").asBoolean()).isTrue();

        Response undrained = client.send("PATCH", "/v1/vips/web6/backends/fd00:2::11", "{\"drain\": false}");
        assertThat(undrained.json().path("drain").asBoolean()).isFalse();
        assertThat(fileConfig().vips().get(1).backends().get(0).drain()).isFalse();
        assertThat(server.reconciles()).isEqualTo(2);
    }

    @Test
    void drainWithANonBooleanIsRefused() throws Exception {
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.12", "{\"drain\": \"yes\"}"),
                400, "vips[0].backends[1].drain");
    }

    @Test
    void deleteBackend() throws Exception {
        Response r = client.send("DELETE", "/v1/vips/web/backends/10.0.2.12", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(fileConfig().vips().get(0).backends()).hasSize(1);
        assertThat(client.get("/v1/vips/web/backends/10.0.2.12").status()).isEqualTo(404);
    }

    @Test
    void deleteUnknownOrMalformedBackendIsRefused() throws Exception {
        assertRefusedAndUnchanged(client.send("DELETE", "/v1/vips/web/backends/10.0.2.99", null), 404, null);
        assertRefusedAndUnchanged(client.send("DELETE", "/v1/vips/web/backends/banana", null), 400, "address");
    }

    @Test
    void aChangeTheDaemonRefusesLeavesTheFileAlone() throws Exception {
        server.applier.refuseNext("interface");
        assertRefusedAndUnchanged(client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 1}"), 400,
                "interface");
    }

    @Test
    void aFileEditedByHandAndNotReloadedIsAConflict() throws Exception {
        String handEdited = AdminTestServer.BASE_CONFIG.replace("weight: 50", "weight: 51");
        Files.writeString(server.configFile, handEdited);
        Response r = client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 1}");
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.json().path("error").asText()).contains("sluice config reload");
        assertThat(server.fileText()).isEqualTo(handEdited);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void aReloadBetweenPreparingAndApplyingAChangeIsAConflictAndNothingIsWritten() throws Exception {
        server.applier.reloadBeforeNext(ConfigLoader.parse(AdminTestServer.BASE_CONFIG.replace("weight: 50",
                "weight: 51")));
        Response r = client.send("PATCH", "/v1/vips/web/backends/10.0.2.11", "{\"weight\": 1}");
        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.json().path("error").asText()).contains("reloaded its config while this change was prepared");
        assertThat(server.fileText()).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void configShowValidateAndReload() throws Exception {
        JsonNode shown = client.get("/v1/config").json();
        assertThat(shown.path("text").asText()).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(shown.path("file").asText()).isEqualTo(server.configFile.toString());

        Response valid = client.send("POST", "/v1/config/validate", AdminTestServer.BASE_CONFIG);
        assertThat(valid.status()).isEqualTo(200);
        assertThat(valid.json().path("vips").asInt()).isEqualTo(2);
        Response invalid = client.send("POST", "/v1/config/validate", "interface: eth0\nmtu: 1\nbogus: 2\n");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("errors").findValuesAsText("field")).containsExactlyInAnyOrder("mtu", "bogus");
        assertThat(server.reconciles()).isZero();

        Files.writeString(server.configFile, AdminTestServer.BASE_CONFIG.replace("weight: 50", "weight: 51"));
        Response reloaded = client.send("POST", "/v1/config/reload", null);
        assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
        assertThat(server.reconciles()).isEqualTo(1);
        assertThat(server.applier.config().vips().get(0).backends().get(1).weight()).isEqualTo(51);
    }

    @Test
    void reloadOfAnInvalidFileIsRefusedAndKeepsTheRunningConfig() throws Exception {
        SluiceConfig running = server.applier.config();
        Files.writeString(server.configFile, "interface: eth0\nvips: 3\n");
        Response r = client.send("POST", "/v1/config/reload", null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").findValuesAsText("field")).contains("vips");
        assertThat(server.applier.config()).isEqualTo(running);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void statsGivesCountersPerVipBackendAndReason() throws Exception {
        server.setPacketsPerBackend(9);
        JsonNode stats = client.get("/v1/stats").json();
        assertThat(stats.path("packets").path("drop_no_backend").asLong()).isEqualTo(3);
        assertThat(stats.path("vips").get(0).path("packets").asLong()).isEqualTo(18);
        assertThat(stats.path("vips").get(0).path("backends").get(0).path("packets").asLong()).isEqualTo(9);
        assertThat(stats.path("updated_at").asText()).isNotEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413AndChangesNothing() throws Exception {
        String request = "POST /v1/vips HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + (AdminServer.MAX_BODY_BYTES + 1) + "\r\n\r\n";
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(server.socket));
            raw.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            raw.read(answer);
            assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 413");
        }
        assertThat(server.fileText()).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void tcpListenerDemandsTheBearerToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token-0123456789\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path tcpDir = Files.createDirectory(dir.resolve("tcp"));
        AdminConfig admin = new AdminConfig(Optional.empty(),
                Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), Optional.of(token), false);
        try (AdminTestServer tcp = new AdminTestServer(tcpDir, AdminTestServer.BASE_CONFIG, true, Optional.of(admin))) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.server.tcpPort());
            try (AdminClient none = AdminClient.tcp(at, Optional.empty());
                 AdminClient wrong = AdminClient.tcp(at, Optional.of("s3cret-token-0123456780"));
                 AdminClient right = AdminClient.tcp(at, Optional.of("s3cret-token-0123456789"))) {
                assertThat(none.get("/v1/status").status()).isEqualTo(401);
                assertThat(wrong.send("DELETE", "/v1/vips/web", null).status()).isEqualTo(401);
                assertThat(tcp.reconciles()).isZero();
                assertThat(right.get("/v1/status").status()).isEqualTo(200);
                assertThat(right.send("DELETE", "/v1/vips/web", null).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aTokenFileOthersCanReadIsRefused() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token-0123456789\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        AdminConfig admin = new AdminConfig(Optional.empty(),
                Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), Optional.of(token), false);
        Path tcpDir = Files.createDirectory(dir.resolve("tcp"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        new AdminTestServer(tcpDir, AdminTestServer.BASE_CONFIG, true, Optional.of(admin)).close())
                .hasMessageContaining("readable by everyone");
    }

    @Test
    void aSecondServerRefusesTheSocketALiveOneServes() throws Exception {
        AdminConfig same = new AdminConfig(Optional.of(server.socket), Optional.empty(), Optional.empty(), false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminServer.start(same,
                new Router(java.util.List.of()))).hasMessageContaining("another process");
        assertThat(client.get("/v1/status").status()).isEqualTo(200); // the first one still serves
    }

    @Test
    void everyAnswerIsReportedToTheObserver() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path socket = dir.resolve("observed.sock");
        AdminConfig config = new AdminConfig(Optional.of(socket), Optional.empty(), Optional.empty(), false);
        try (AdminServer observed = AdminServer.start(config, new Router(java.util.List.of()),
                (method, status) -> seen.add(method + " " + status));
             AdminClient c = AdminClient.unixSocket(socket)) {
            c.get("/v1/nothing");
            c.send("DELETE", "/v1/nothing", null);
        }
        assertThat(seen).containsExactly("GET 404", "DELETE 404");
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        server.close();
        // A leftover file at the socket path (a daemon killed with -9 leaves one).
        Files.deleteIfExists(server.socket);
        Files.writeString(server.socket, "");
        server = new AdminTestServer(Files.createDirectory(dir.resolve("again")));
        AdminConfig stale = new AdminConfig(Optional.of(dir.resolve("admin.sock")), Optional.empty(), Optional.empty(),
                false);
        try (AdminServer s = AdminServer.start(stale, new Router(java.util.List.of()))) {
            try (AdminClient c = AdminClient.unixSocket(dir.resolve("admin.sock"))) {
                assertThat(c.get("/v1/status").status()).isEqualTo(404);
            }
        }
        client.close();
        client = server.client();
    }
}
