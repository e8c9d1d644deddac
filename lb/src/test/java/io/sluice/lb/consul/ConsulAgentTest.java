package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.metrics.ConsulMetrics;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import io.sluice.lb.dataplane.LbConfigEntry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sluiced's Consul side against the in-process agent double, or against a real agent when
 * SLUICE_CONSUL_ADDR is set (then double-only steps, like stopping the agent or serving hostile
 * bytes, are skipped). Service names carry a per-run suffix so a shared real agent is not disturbed.
 */
class ConsulAgentTest {
    /** Far longer than any await below: a change seen in time was seen through the blocking query. */
    private static final String LONG_WAIT = "10m";
    private static final Duration AWAIT = Duration.ofSeconds(15);

    private final String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    private final String svc = "sluicetest-web-" + run;
    private ConsulTarget target;
    private ConsulMetrics metrics;
    private final BlockingQueue<DiscoveryUpdate> updates = new LinkedBlockingQueue<>();
    private final List<String> instances = new ArrayList<>();
    private ConsulService consul;

    @BeforeEach
    void open() throws Exception {
        target = ConsulTarget.open();
        metrics = new ConsulMetrics(new PrometheusRegistry());
    }

    @AfterEach
    void close() throws Exception {
        if (consul != null) {
            consul.close();
        }
        for (String id : instances) {
            try {
                target.deregister(id);
            } catch (Exception e) {
                // already gone
            }
        }
        target.close();
    }

    private SluiceConfig config(String consulSection, String vips) throws Exception {
        return ConfigLoader.parse("""
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                consul:
                  address: %s
                  retry_min: 20ms
                  retry_max: 200ms
                %s
                vips:
                %s
                """.formatted(target.address(), consulSection.indent(2), vips.indent(2)));
    }

    private ConsulService start(SluiceConfig config) throws Exception {
        ConsulClient client = new ConsulClient(AgentAddress.resolve(config.consul(), java.util.Map.of()),
                target.token(), config.consul().maxResponseBytes());
        consul = new ConsulService(config.consul(), client, metrics, updates::add, "lb-test-1", "9.9.9");
        consul.apply(config);
        return consul;
    }

    private void instance(String id, String ip, String... tags) throws Exception {
        target.registerInstance(id, svc, ip, 8080, List.of(tags));
        instances.add(id);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting until " + what).isNegative();
            Thread.sleep(20);
        }
    }

    private JsonNode check(String id) {
        try {
            return target.checks().path(id);
        } catch (Exception e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private DiscoveryUpdate nextUpdate() throws InterruptedException {
        DiscoveryUpdate u = updates.poll(AWAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(u).as("a discovery update").isNotNull();
        return u;
    }

    private static List<String> addresses(DiscoveryUpdate u) {
        return u.backends().stream().map(b -> b.address().getHostAddress()).toList();
    }

    private static DesiredState applied(SluiceConfig config, int backendsWithWeight) throws Exception {
        List<DesiredVip> vips = new ArrayList<>();
        for (var vip : config.vips()) {
            List<DesiredBackend> bs = new ArrayList<>();
            for (int i = 0; i < backendsWithWeight; i++) {
                bs.add(new DesiredBackend(InetAddress.getByName("10.0.2." + (i + 1)), 100));
            }
            vips.add(new DesiredVip(vip.name(), vip.key(), vip.tableSize(), bs));
        }
        return new DesiredState(new LbConfigEntry(new byte[6], 1500,
                (java.net.Inet4Address) InetAddress.getByName("0.0.0.0"), 0,
                (java.net.Inet6Address) InetAddress.getByName("::"), 0, 0), vips);
    }

    // ---- registration and the TTL check ----

    @Test
    void registersTheVipWithMetaAndAPassingTtlCheckThenDeregistersOnClose() throws Exception {
        SluiceConfig config = config("ttl: 3s", """
                - name: web%s
                  address: 10.100.0.1
                  port: 443
                  consul: {service: %s, tags: [edge, tls]}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc));
        String id = "sluice-web" + run;
        start(config).serving(Verdicts.of(config, applied(config, 1), Set.of(), true, "eth0"));

        await("the VIP is registered", () -> {
            try {
                return target.services().has(id);
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode s = target.services().get(id);
        assertThat(s.path("Service").asText()).isEqualTo(svc);
        assertThat(s.path("Address").asText()).isEqualTo("10.100.0.1");
        assertThat(s.path("Port").asInt()).isEqualTo(443);
        assertThat(s.path("Tags")).extracting(JsonNode::asText).containsExactly("edge", "tls");
        assertThat(s.path("Meta").path("lb_host").asText()).isEqualTo("lb-test-1");
        assertThat(s.path("Meta").path("sluice_version").asText()).isEqualTo("9.9.9");
        await("the TTL check passes", () -> check(id + "-dataplane").path("Status").asText().equals("passing"));
        assertThat(check(id + "-dataplane").path("Output").asText()).contains("attached to eth0");

        // Kept passing past several TTLs: sluiced refreshes it every ttl / 3.
        Thread.sleep(Duration.ofSeconds(7).toMillis());
        assertThat(check(id + "-dataplane").path("Status").asText()).isEqualTo("passing");

        consul.close();
        consul = null;
        assertThat(target.services().has(id)).as("deregistered on a clean stop").isFalse();
        assertThat(target.checks().has(id + "-dataplane")).isFalse();
    }

    @Test
    void theTableFingerprintIsInTheMetaAndAChangeReRegistersWithoutFailingTheCheck() throws Exception {
        SluiceConfig config = config("", """
                - name: fp%s
                  address: 10.100.0.7
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc));
        String id = "sluice-fp" + run;
        ConsulService c = start(config);
        c.serving(Verdicts.of(config, applied(config, 1), Set.of(), true, "eth0"));
        await("passing", () -> check(id + "-dataplane").path("Status").asText().equals("passing"));
        assertThat(target.services().get(id).path("Meta").has("table_fingerprint"))
                .as("no fingerprint before the first reconcile").isFalse();

        c.fingerprints(java.util.Map.of("fp" + run, "00112233aabbccdd"));
        await("the fingerprint is in the meta", () -> meta(id).path("table_fingerprint").asText()
                .equals("00112233aabbccdd"));

        c.fingerprints(java.util.Map.of("fp" + run, "ffeeddcc44332211"));
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!meta(id).path("table_fingerprint").asText().equals("ffeeddcc44332211")) {
            assertThat(check(id + "-dataplane").path("Status").asText()).as("the check while re-registering")
                    .isEqualTo("passing");
            assertThat(System.nanoTime() - deadline).as("timed out waiting for the new fingerprint").isNegative();
        }
        assertThat(check(id + "-dataplane").path("Status").asText()).isEqualTo("passing");
        assertThat(meta(id).path("lb_host").asText()).isEqualTo("lb-test-1");
        if (target.isDouble()) {
            // Each re-registration carried the verdict in force: the check never went critical in between.
            List<String> registrations = target.agentDouble().registeredChecks().stream()
                    .filter(r -> r.startsWith(id + "-dataplane=")).toList();
            assertThat(registrations).hasSizeGreaterThanOrEqualTo(3);
            assertThat(registrations.subList(registrations.size() - 2, registrations.size()))
                    .containsOnly(id + "-dataplane=passing");
        }
    }

    private JsonNode meta(String serviceId) {
        try {
            return target.services().path(serviceId).path("Meta");
        } catch (Exception e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    @Test
    void theTtlCheckFailsWhenTheProgramIsDetachedOrEveryBackendIsDownAndPassesAgain() throws Exception {
        SluiceConfig config = config("", """
                - name: api%s
                  address: 10.100.0.2
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}, {address: 10.0.2.2}]
                """.formatted(run, svc));
        String checkId = "sluice-api" + run + "-dataplane";
        VipKey key = config.vips().get(0).key();
        ConsulService c = start(config);
        c.serving(Verdicts.of(config, applied(config, 2), Set.of(), true, "eth0"));
        await("passing", () -> check(checkId).path("Status").asText().equals("passing"));

        c.serving(Verdicts.of(config, applied(config, 2), Set.of(), false, "eth0"));
        await("critical when detached", () -> check(checkId).path("Status").asText().equals("critical"));
        assertThat(check(checkId).path("Output").asText()).contains("not attached to eth0");

        c.serving(Verdicts.of(config, applied(config, 2), Set.of(key), true, "eth0"));
        await("critical when all down", () -> check(checkId).path("Output").asText().contains("backends are down"));
        assertThat(check(checkId).path("Status").asText()).isEqualTo("critical");

        c.serving(Verdicts.of(config, applied(config, 0), Set.of(), true, "eth0"));
        await("critical with no backends", () -> check(checkId).path("Output").asText().contains("no backends"));

        c.serving(Verdicts.of(config, applied(config, 2), Set.of(), true, "eth0"));
        await("passing again", () -> check(checkId).path("Status").asText().equals("passing"));
    }

    @Test
    void aReloadThatDropsTheRegistrationDeregistersTheVip() throws Exception {
        String vips = """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc);
        SluiceConfig config = config("", vips);
        ConsulService c = start(config);
        String id = "sluice-web" + run;
        await("registered", () -> check(id + "-dataplane").has("Status"));
        c.apply(config("", vips.replace("consul: {service: " + svc + "}", "")));
        await("deregistered", () -> !check(id + "-dataplane").has("Status"));
    }

    @Test
    void anAgentThatLostTheRegistrationGetsItBack() throws Exception {
        SluiceConfig config = config("ttl: 1s", """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc));
        String id = "sluice-web" + run;
        start(config).serving(Verdicts.of(config, applied(config, 1), Set.of(), true, "eth0"));
        await("passing", () -> check(id + "-dataplane").path("Status").asText().equals("passing"));
        target.deregister(id); // as an agent restarted without its state would
        await("registered again and passing", () -> check(id + "-dataplane").path("Status").asText()
                .equals("passing"));
    }

    @Test
    void aFailedTtlUpdateDoesNotForgetTheRegistrationSoALaterReloadStillRemovesIt() throws Exception {
        assumeTrue(target.isDouble(), "needs to stop the agent");
        String vips = """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc);
        SluiceConfig config = config("ttl: 1s", vips);
        String id = "sluice-web" + run;
        ConsulService c = start(config);
        c.serving(Verdicts.of(config, applied(config, 1), Set.of(), true, "eth0"));
        await("passing", () -> check(id + "-dataplane").path("Status").asText().equals("passing"));
        target.agentDouble().stop();
        await("a TTL update failed", () -> metrics.callErrors("ttl_update") >= 1);
        c.apply(config("ttl: 1s", vips.replace("consul: {service: " + svc + "}", ""))); // while the agent is down
        target.agentDouble().restart(); // the agent kept its state, as a real one does on disk
        await("deregistered although the last TTL update had failed", () -> {
            try {
                return !target.services().has(id);
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void theTokenGoesInTheHeader() throws Exception {
        assumeTrue(target.isDouble(), "needs the double to require a token");
        target.agentDouble().requireToken("s3cret");
        SluiceConfig config = config("", """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  consul: {service: %s}
                  backends: [{address: 10.0.2.1}]
                """.formatted(run, svc));
        ConsulClient client = new ConsulClient(target.address(), Optional.of("s3cret"), 1 << 20);
        consul = new ConsulService(config.consul(), client, metrics, updates::add, "lb", "v");
        consul.apply(config);
        await("registered with the token", () -> target.agentDouble().requests().stream()
                .anyMatch(r -> r.path().equals("/v1/agent/service/register")
                        && r.token().equals(Optional.of("s3cret"))));
        ConsulClient noToken = new ConsulClient(target.address(), Optional.empty(), 1 << 20);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> noToken.deregister("x"))
                .isInstanceOf(ConsulException.class).hasMessageContaining("HTTP 403");
    }

    // ---- discovery ----

    private SluiceConfig discovering(String discovery) throws Exception {
        return config("wait: " + LONG_WAIT, """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  health_check: {type: tcp, port: 8080}
                  backends:
                    consul: %s
                """.formatted(run, discovery));
    }

    @Test
    void discoversPassingInstancesAndSeesAChangeThroughTheBlockingQuery() throws Exception {
        instance("a-" + run, "10.0.2.1");
        instance("b-" + run, "10.0.2.2");
        start(discovering("{service: " + svc + ", weight: 5}"));
        DiscoveryUpdate first = nextUpdate();
        assertThat(addresses(first)).containsExactly("10.0.2.1", "10.0.2.2");
        assertThat(first.backends()).allSatisfy(b -> {
            assertThat(b.weight()).isEqualTo(5);
            assertThat(b.healthCheck()).as("the VIP's health_check applies").isPresent();
            assertThat(b.drain()).isFalse();
        });
        if (target.isDouble()) {
            await("a blocking query is held open", () -> target.agentDouble().waitingQueries() > 0);
        }
        instance("c-" + run, "10.0.2.3");
        DiscoveryUpdate second = nextUpdate(); // wait is 10 minutes: only a blocking query answers this soon
        assertThat(addresses(second)).containsExactly("10.0.2.1", "10.0.2.2", "10.0.2.3");
        assertThat(second.index()).isGreaterThan(first.index());
        if (target.isDouble()) {
            assertThat(target.agentDouble().requests()).anySatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v1/health/service/" + svc);
                assertThat(r.query()).contains("index=" + first.index()).contains("wait=600000ms");
            });
        }

        target.setInstanceCheck("b-" + run, "critical");
        assertThat(addresses(nextUpdate())).as("a failing instance leaves").containsExactly("10.0.2.1", "10.0.2.3");
    }

    @Test
    void anInstanceInMaintenanceIsDrainedNotDropped() throws Exception {
        instance("a-" + run, "10.0.2.1");
        instance("b-" + run, "10.0.2.2");
        start(discovering("{service: " + svc + "}"));
        assertThat(addresses(nextUpdate())).containsExactly("10.0.2.1", "10.0.2.2");

        target.serviceMaintenance("b-" + run, true);
        DiscoveryUpdate drained = nextUpdate();
        assertThat(drained.backends()).extracting(b -> b.address().getHostAddress(), BackendConfig::drain)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.2.1", false),
                        org.assertj.core.groups.Tuple.tuple("10.0.2.2", true));

        target.serviceMaintenance("b-" + run, false);
        assertThat(nextUpdate().backends()).noneMatch(BackendConfig::drain);
    }

    @Test
    void everyInstanceFailingKeepsTheLastBackendsUnderFailOpenAndEmptiesTheVipUnderFailClosed() throws Exception {
        instance("a-" + run, "10.0.2.1");
        instance("b-" + run, "10.0.2.2");
        SluiceConfig open = discovering("{service: " + svc + "}");
        SluiceConfig closed = config("wait: " + LONG_WAIT, """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  when_all_down: fail_closed
                  backends:
                    consul: {service: %s}
                """.formatted(run, svc));
        start(open);
        DiscoveredBackends keeps = new DiscoveredBackends();
        DiscoveredBackends empties = new DiscoveredBackends();
        DiscoveryUpdate first = nextUpdate();
        keeps.accept(first, open);
        empties.accept(first, closed);

        target.setInstanceCheck("a-" + run, "critical");
        DiscoveryUpdate one = nextUpdate();
        keeps.accept(one, open);
        target.setInstanceCheck("b-" + run, "critical");
        DiscoveryUpdate none = nextUpdate();
        assertThat(none.allFailing()).isTrue();
        assertThat(none.failing()).isEqualTo(2);

        assertThat(keeps.accept(none, open)).as("newly all failing").isTrue();
        assertThat(keeps.allFailing()).containsExactly("web" + run);
        assertThat(keeps.merge(open).vips().get(0).backends()).extracting(b -> b.address().getHostAddress())
                .as("fail_open keeps the last set").containsExactly("10.0.2.2");
        SluiceConfig regOpen = config("", """
                - name: web%s
                  address: 10.100.0.1
                  port: 80
                  consul: {service: reg%s}
                  backends:
                    consul: {service: %s}
                """.formatted(run, run, svc));
        keeps.accept(none, regOpen);
        assertThat(Verdicts.of(keeps.merge(regOpen), applied(regOpen, 1), Set.of(), keeps.allFailing(), true, "eth0")
                .get("web" + run)).satisfies(v -> {
                    assertThat(v.passing()).isFalse();
                    assertThat(v.note()).contains("every Consul instance of " + svc + " is failing");
                });

        assertThat(empties.accept(none, closed)).isTrue();
        assertThat(empties.merge(closed).vips().get(0).backends()).as("fail_closed applies the empty set").isEmpty();

        target.setInstanceCheck("a-" + run, "passing");
        DiscoveryUpdate back = nextUpdate();
        assertThat(keeps.accept(back, open)).isTrue();
        assertThat(keeps.allFailing()).isEmpty();
        assertThat(keeps.merge(open).vips().get(0).backends()).extracting(b -> b.address().getHostAddress())
                .containsExactly("10.0.2.1");
    }

    @Test
    void onlyInstancesWithTheTag() throws Exception {
        instance("a-" + run, "10.0.2.1", "blue");
        instance("b-" + run, "10.0.2.2", "green");
        start(discovering("{service: " + svc + ", tag: blue}"));
        assertThat(addresses(nextUpdate())).containsExactly("10.0.2.1");
    }

    @Test
    void agentOutageKeepsTheLastBackendsRetriesWithBackoffAndRecovers() throws Exception {
        assumeTrue(target.isDouble(), "needs to stop the agent");
        ConsulAgentDouble agent = target.agentDouble();
        instance("a-" + run, "10.0.2.1");
        start(discovering("{service: " + svc + "}"));
        assertThat(addresses(nextUpdate())).containsExactly("10.0.2.1");

        agent.stop();
        await("several failed retries counted", () -> metrics.callErrors("health") >= 3);
        assertThat(updates).as("nothing posted: the last known backends stay").isEmpty();

        agent.restart();
        long queriesBefore = agent.requests().size();
        await("the first query after the outage is answered at once, though nothing changed", () ->
                agent.requests().size() > queriesBefore + 1);
        assertThat(java.util.Objects.toString(agent.requests().get((int) queriesBefore).query(), ""))
                .doesNotContain("index=");
        instance("b-" + run, "10.0.2.2");
        assertThat(addresses(nextUpdate())).as("recovered").containsExactly("10.0.2.1", "10.0.2.2");
    }

    @Test
    void hostileEntriesAreRejectedOneByOneAndAHugeAnswerIsRefusedWhole() throws Exception {
        assumeTrue(target.isDouble(), "needs to serve hostile bytes");
        ConsulAgentDouble agent = target.agentDouble();
        String vip = "web" + run;
        String good = HealthEntriesTest.entry("n1", "ok", "\"10.0.2.1\"", "80", HealthEntriesTest.passing("ok"))
                .replace("\"web\"", "\"" + svc + "\"");
        String badPort = HealthEntriesTest.entry("n1", "bad", "\"10.0.2.2\"", "\"x\"", HealthEntriesTest.passing("bad"))
                .replace("\"web\"", "\"" + svc + "\"");
        String name = HealthEntriesTest.entry("n1", "dns", "\"evil.example\"", "80", HealthEntriesTest.passing("dns"))
                .replace("\"web\"", "\"" + svc + "\"");
        agent.rawHealthAnswer(svc, "[" + good + "," + badPort + "," + name + "]");
        start(discovering("{service: " + svc + "}"));
        assertThat(addresses(nextUpdate())).containsExactly("10.0.2.1");
        assertThat(metrics.entriesRejected(vip)).isEqualTo(2);

        agent.rawHealthAnswer(svc, "{\"Message\": \"not a list\"}");
        await("refused whole", () -> metrics.answersRefused(vip) >= 1);
        byte[] huge = new byte[5 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '[';
        huge[huge.length - 1] = ']';
        agent.rawHealthAnswer(svc, huge);
        await("too large refused", () -> metrics.callErrors("health") >= 1);
        assertThat(updates).as("nothing applied from refused answers").isEmpty();

        agent.rawHealthAnswer(svc, "[" + good.replace("10.0.2.1", "10.0.2.9") + "]");
        assertThat(addresses(nextUpdate())).containsExactly("10.0.2.9");
    }

    @Test
    void anIndexThatGoesBackwardsRestartsTheWatch() throws Exception {
        assumeTrue(target.isDouble(), "needs to move the index back");
        ConsulAgentDouble agent = target.agentDouble();
        instance("a-" + run, "10.0.2.1");
        start(discovering("{service: " + svc + "}"));
        nextUpdate();
        await("blocking", () -> agent.waitingQueries() > 0);
        agent.resetIndex(1);
        instance("b-" + run, "10.0.2.2"); // index 2: lower than before the reset
        DiscoveryUpdate after = nextUpdate();
        assertThat(addresses(after)).containsExactly("10.0.2.1", "10.0.2.2");
        assertThat(after.index()).isLessThan(10);
    }

    @Test
    void discoveredBackendsAreLaidIntoTheConfigAndStaleUpdatesIgnored() throws Exception {
        instance("a-" + run, "10.0.2.1");
        SluiceConfig file = discovering("{service: " + svc + ", weight: 9}");
        start(file);
        DiscoveryUpdate u = nextUpdate();
        DiscoveredBackends discovered = new DiscoveredBackends();
        assertThat(discovered.merge(file).vips().get(0).backends()).as("nothing until Consul answers").isEmpty();
        assertThat(discovered.accept(u, file)).isTrue();
        assertThat(discovered.accept(u, file)).as("the same set again changes nothing").isFalse();
        SluiceConfig running = discovered.merge(file);
        assertThat(running.vips().get(0).backends()).singleElement().satisfies(b -> {
            assertThat(b.address().getHostAddress()).isEqualTo("10.0.2.1");
            assertThat(b.weight()).isEqualTo(9);
        });
        // A reload to another service makes the old answer stale; a weight change reuses it.
        SluiceConfig otherService = discovering("{service: other" + run + "}");
        assertThat(discovered.merge(otherService).vips().get(0).backends()).isEmpty();
        assertThat(discovered.accept(u, otherService)).isFalse();
        SluiceConfig heavier = discovering("{service: " + svc + ", weight: 50}");
        assertThat(discovered.merge(heavier).vips().get(0).backends()).singleElement()
                .satisfies(b -> assertThat(b.weight()).isEqualTo(50));
    }
}
