package io.sluice.lb.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.client.AdminClient;
import io.sluice.lb.admin.client.AdminClient.Response;
import io.sluice.lb.bpf.CoarseClock;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.testing.packet.BalancerRig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DoS resources over a real Unix socket and a real DoS stage (a loaded balancer run with
 * BPF_PROG_TEST_RUN): blocks reach the data plane, are kept where the docs say, and bad input
 * changes nothing.
 */
class DosApiTest {
    private static final String ATTACKER = "198.51.100.7";
    private static final String ATTACKER_NET = "198.51.100.0/24";
    private static final String ATTACKER_NET_PATH = "/v1/dos/blocks/198.51.100.0%2F24";

    @TempDir
    Path dir;

    private DosTestStage stage;
    private AdminTestServer server;
    private AdminClient client;
    private String initialConfig;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(BalancerRig.isRoot(), "BPF needs root");
        stage = new DosTestStage(dir);
        server = stage.server;
        client = server.client();
        initialConfig = server.fileText();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (stage != null) {
            stage.close();
        }
    }

    private Response post(String json) throws Exception {
        return client.send("POST", "/v1/dos/blocks", json);
    }

    private String blocksFileText() throws Exception {
        return Files.readString(stage.blocksFile, StandardCharsets.UTF_8);
    }

    @Test
    void listShowsRulesBlocksLimitsAndDropsWithHitCounters() throws Exception {
        assertThat(stage.syn("203.0.113.5")).isEqualTo(XdpAction.DROP);
        assertThat(stage.syn("203.0.113.6")).isEqualTo(XdpAction.DROP);
        Response r = client.get("/v1/dos");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode dos = r.json();
        assertThat(dos.path("allow").get(0).asText()).isEqualTo("192.0.2.0/24");
        JsonNode deny = dos.path("deny").get(0);
        assertThat(deny.path("prefix").asText()).isEqualTo("203.0.113.0/24");
        assertThat(deny.path("origin").asText()).isEqualTo("config");
        assertThat(deny.path("hits").asLong()).isEqualTo(2);
        assertThat(dos.path("blocks").size()).isZero();
        assertThat(dos.path("drops").path("drop_deny_list").asLong()).isEqualTo(2);
        JsonNode limits = dos.path("limits");
        assertThat(limits.path("tcp_flags").asBoolean()).isTrue();
        long tick = CoarseClock.tickNanos();
        assertThat(limits.path("source_packet_rate").asLong()).isEqualTo(100_000);
        assertThat(limits.path("source_packet_burst").asLong()).isEqualTo(10);
        assertThat(limits.path("source_packet_effective_burst").asLong()).as("one tick of 100,000/s")
                .isEqualTo(tick / 10_000 + 1);
        assertThat(limits.path("source_new_flow_effective_burst").asLong()).as("400 covers a tick of 200/s")
                .isEqualTo(400);
        assertThat(limits.path("clock_tick_micros").asLong()).isEqualTo(tick / 1_000);
        assertThat(client.get("/v1/dos/blocks").json().size()).isZero();
    }

    @Test
    void aBlockWithATtlDropsTheSourceIsKeptInTheBlocksFileAndUnblockLetsItPass() throws Exception {
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
        Instant before = Instant.now();
        Response r = post("{\"prefix\": \"" + ATTACKER_NET + "\", \"ttl\": \"10m\", \"reason\": \"ticket-7\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("origin").asText()).isEqualTo("manual");
        Instant expires = Instant.parse(r.json().path("expires_at").asText());
        assertThat(expires).isBetween(before.plus(Duration.ofMinutes(10)), Instant.now().plus(Duration.ofMinutes(10)));

        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        JsonNode blocks = client.get("/v1/dos/blocks").json();
        assertThat(blocks.size()).isEqualTo(1);
        assertThat(blocks.get(0).path("prefix").asText()).isEqualTo(ATTACKER_NET);
        assertThat(blocks.get(0).path("reason").asText()).isEqualTo("ticket-7");
        assertThat(blocks.get(0).path("hits").asLong()).isEqualTo(1);
        assertThat(blocksFileText()).contains(ATTACKER_NET, "ticket-7", expires.toString());
        assertThat(server.fileText()).isEqualTo(initialConfig); // temporary: not a config change
        assertThat(server.reconciles()).isZero();

        Response del = client.send("DELETE", ATTACKER_NET_PATH, null);
        assertThat(del.status()).as(del.body()).isEqualTo(200);
        assertThat(del.json().path("removed").get(0).asText()).isEqualTo("manual");
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
        assertThat(blocksFileText()).doesNotContain(ATTACKER_NET);
        assertThat(client.send("DELETE", ATTACKER_NET_PATH, null).status()).isEqualTo(404);
    }

    @Test
    void aBlockWithoutTtlIsADenyEntryOfTheConfigFileAppliedAsOneReconcile() throws Exception {
        Response r = post("{\"prefix\": \"" + ATTACKER + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("prefix").asText()).isEqualTo(ATTACKER + "/32");
        assertThat(server.reconciles()).isEqualTo(1);
        assertThat(ConfigLoader.load(server.configFile).dos().deny())
                .containsExactly(Cidr.parse("203.0.113.0/24"), Cidr.parse(ATTACKER + "/32"));
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        assertThat(stage.syn("198.51.100.8")).isEqualTo(XdpAction.PASS);
        assertThat(client.get("/v1/dos").json().path("deny").findValuesAsText("prefix")).contains(ATTACKER + "/32");
        assertThat(Files.exists(stage.blocksFile)).isFalse();

        Response again = post("{\"prefix\": \"" + ATTACKER + "/32\", \"ttl\": 60}");
        assertThat(again.status()).as(again.body()).isEqualTo(409);

        Response del = client.send("DELETE", "/v1/dos/blocks/" + ATTACKER, null);
        assertThat(del.status()).as(del.body()).isEqualTo(200);
        assertThat(del.json().path("removed").get(0).asText()).isEqualTo("config");
        assertThat(server.reconciles()).isEqualTo(2);
        assertThat(ConfigLoader.load(server.configFile).dos().deny()).containsExactly(Cidr.parse("203.0.113.0/24"));
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
        assertThat(stage.syn("203.0.113.5")).isEqualTo(XdpAction.DROP); // the rest of the list stays in force
    }

    @Test
    void aConfigDenyEntryCanBeUnblockedLikeAnyOther() throws Exception {
        Response del = client.send("DELETE", "/v1/dos/blocks/203.0.113.0%2F24", null);
        assertThat(del.status()).as(del.body()).isEqualTo(200);
        assertThat(stage.syn("203.0.113.5")).isEqualTo(XdpAction.PASS);
        assertThat(server.fileText()).doesNotContain("203.0.113.0/24");
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndChangesNothing() throws Exception {
        assertRefused(post("{\"prefix\": \"300.1.2.0/24\", \"ttl\": \"10m\"}"), 400, "prefix");
        assertRefused(post("{\"prefix\": \"198.51.100.1/24\"}"), 400, "prefix"); // host bits set
        assertRefused(post("{\"prefix\": \"198.51.100.0/33\", \"ttl\": \"1m\"}"), 400, "prefix");
        assertRefused(post("{\"ttl\": \"10m\"}"), 400, "prefix");
        assertRefused(post("{\"prefix\": 17}"), 400, "prefix");
        assertRefused(post("{\"prefix\": \"192.0.2.5\", \"ttl\": \"10m\"}"), 400, "prefix"); // on the allow list
        assertRefused(post("{\"prefix\": \"192.0.2.0/25\"}"), 400, "prefix");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"ttl\": \"10x\"}"), 400, "ttl");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"ttl\": \"8d\"}"), 400, "ttl");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"ttl\": 0}"), 400, "ttl");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"ttl\": \"1m\", \"reason\": \"two words\"}"), 400,
                "reason");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"reason\": \"why\"}"), 400, "reason");
        assertRefused(post("{\"prefix\": \"" + ATTACKER + "\", \"until\": \"never\"}"), 400, "until");
        assertRefused(post("[\"" + ATTACKER + "\"]"), 400, ApiRequest.BODY);
        assertRefused(post("{\"prefix\": \"203.0.113.0/24\", \"ttl\": \"1m\"}"), 409, null);
        assertRefused(client.send("DELETE", "/v1/dos/blocks/not-a-prefix", null), 400, "prefix");
        assertRefused(client.send("DELETE", ATTACKER_NET_PATH, null), 404, null);
        assertRefused(client.send("PATCH", "/v1/dos", "{}"), 405, null);
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
        assertThat(stage.syn("203.0.113.5")).isEqualTo(XdpAction.DROP);
    }

    private void assertRefused(Response r, int status, String field) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().path("error").asText()).as(r.body()).isNotEmpty();
        if (field != null) {
            assertThat(r.json().path("errors").findValuesAsText("field")).as(r.body()).contains(field);
        }
        assertThat(server.fileText()).isEqualTo(initialConfig);
        assertThat(server.reconciles()).isZero();
        assertThat(Files.exists(ConfigFile.backupOf(server.configFile))).isFalse();
        assertThat(Files.exists(stage.blocksFile)).isFalse();
        assertThat(stage.service().blocks()).isEmpty();
    }

    @Test
    void aRestartPutsTemporaryBlocksBackWithTheTimeTheyHaveLeftAndDropsExpiredOnes() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        Response r = post("{\"prefix\": \"" + ATTACKER_NET + "\", \"ttl\": \"10m\", \"reason\": \"ticket-8\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        Response other = post("{\"prefix\": \"2001:db8:bad::/48\", \"ttl\": \"2m\"}");
        assertThat(other.status()).as(other.body()).isEqualTo(201);
        Instant expires = Instant.parse(r.json().path("expires_at").asText());
        client.close();
        stage.close();

        // The daemon restarts five minutes later: the 10m block is back with its expiry, the 2m one is gone.
        clock.advance(Duration.ofMinutes(5));
        Path second = Files.createDirectory(dir.resolve("restarted"));
        Files.createDirectories(second.resolve("state"));
        Files.copy(stage.blocksFile, second.resolve("state").resolve("dos-blocks.json"));
        stage = new DosTestStage(second, clock);
        server = stage.server;
        client = server.client();
        JsonNode blocks = client.get("/v1/dos/blocks").json();
        assertThat(blocks.findValuesAsText("prefix")).containsExactly(ATTACKER_NET);
        assertThat(blocks.get(0).path("expires_at").asText()).isEqualTo(expires.toString());
        assertThat(blocks.get(0).path("reason").asText()).isEqualTo("ticket-8");
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        assertThat(blocksFileText()).doesNotContain("2001:db8:bad::/48"); // rewritten without the expired one

        clock.advance(Duration.ofMinutes(6));
        stage.onDaemon(stage.service()::tick);
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
