package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.metrics.ConsulKvMetrics;
import io.sluice.lb.metrics.ConsulMetrics;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's shared config (consul.kv) against the agent double, or a real agent when
 * SLUICE_CONSUL_ADDR is set (keys under a per-run prefix, removed afterwards): converge on every
 * change through the held blocking query, reject every kind of bad document whole and keep the last
 * good one, keep it through an outage and serve it from the cache after a restart, start over when
 * the index goes backwards.
 */
class SharedConfigKvTest {
    private static final int MAX_DOCUMENT_BYTES = 1024;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    private final String prefix = "sluicetest/kv-" + run;
    private final String key = prefix + "/config";
    private final LinkedBlockingQueue<KvUpdate> sink = new LinkedBlockingQueue<>();
    private final List<SharedConfig> opened = new ArrayList<>();
    private ConsulTarget target;
    private ConsulMetrics metrics;
    private ConsulKvMetrics kvMetrics;

    @TempDir
    Path dir;

    @BeforeEach
    void open() throws Exception {
        target = ConsulTarget.open();
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics = new ConsulMetrics(registry);
        kvMetrics = new ConsulKvMetrics(registry);
    }

    @AfterEach
    void close() throws Exception {
        opened.forEach(SharedConfig::close);
        if (target.isDouble()) {
            target.agentDouble().restart(); // a test may have stopped it
        }
        target.kvDelete(prefix, true);
        target.close();
    }

    private SluiceConfig local(URI agent) throws Exception {
        return ConfigLoader.parse(localText(agent));
    }

    /** The same host once the operator added encap.source_v6 (IPv6 backends need it). */
    private SluiceConfig localWithSourceV6(URI agent) throws Exception {
        return ConfigLoader.parse(localText(agent).replace("encap: {source_v4: 172.16.0.0/16}",
                "encap: {source_v4: 172.16.0.0/16, source_v6: \"2001:db8:ffff::/96\"}"));
    }

    private String localText(URI agent) {
        return """
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                consul:
                  address: "%s"
                  retry_min: 20ms
                  retry_max: 200ms
                  wait: 1m
                  max_response_bytes: %d
                  kv: {prefix: %s, cache_file: %s, max_document_bytes: %d}
                """.formatted(agent, MAX_RESPONSE_BYTES, prefix, dir.resolve("kv-cache.json"), MAX_DOCUMENT_BYTES);
    }

    private SharedConfig open(SluiceConfig local) {
        SharedConfig shared = SharedConfig.of(local.consul(), new ConsulClient(local.consul().address().orElseThrow(),
                target.token(), local.consul().maxResponseBytes()), metrics, kvMetrics, sink::add);
        opened.add(shared);
        return shared;
    }

    /** A host started on this document, the first version of the key. */
    private SharedConfig startedOn(SluiceConfig local, String document) throws Exception {
        target.kvPut(key, document);
        SharedConfig shared = open(local);
        shared.initial(local);
        return shared;
    }

    private static String document(String... backends) {
        StringBuilder list = new StringBuilder();
        for (String b : backends) {
            list.append(list.length() == 0 ? "" : ", ").append("{address: ").append(b).append("}");
        }
        return """
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    backends: [%s]
                dos:
                  deny: [198.51.100.0/24]
                """.formatted(list);
    }

    private static List<String> backends(SluiceConfig config) {
        return config.vips().get(0).backends().stream().map(b -> b.address().getHostAddress()).toList();
    }

    private KvUpdate next() throws InterruptedException {
        KvUpdate u = sink.poll(20, TimeUnit.SECONDS);
        assertThat(u).as("an update from the watch").isNotNull();
        return u;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("timed out waiting until " + what).isTrue();
            Thread.sleep(20);
        }
    }

    @Test
    void everyChangeIsSeenThroughTheHeldBlockingQueryAndApplied() throws Exception {
        target.kvPut(key, document("10.0.2.1"));
        SluiceConfig local = local(target.address());
        SharedConfig shared = open(local);

        SluiceConfig first = shared.initial(local);

        assertThat(backends(first)).containsExactly("10.0.2.1");
        assertThat(first.dos().deny()).hasSize(1);
        long firstIndex = shared.status().modifyIndex();
        assertThat(firstIndex).isPositive();
        assertThat(shared.status().source()).isEqualTo("consul_kv");
        assertThat(shared.status().key()).isEqualTo(key);
        assertThat(shared.status().loadedFrom()).isEqualTo("consul");
        assertThat(Files.readString(dir.resolve("kv-cache.json"))).contains("10.0.2.1");
        if (target.isDouble()) {
            await("the watch holds a blocking query", () -> target.agentDouble().waitingQueries() > 0);
        }

        target.kvPut(key, document("10.0.2.1", "10.0.2.2"));
        SharedConfig.Result r = shared.accept(next(), local);

        assertThat(r.outcome()).isEqualTo(SharedConfig.Outcome.APPLY);
        assertThat(backends(r.config())).containsExactly("10.0.2.1", "10.0.2.2");
        assertThat(shared.status().modifyIndex()).isGreaterThan(firstIndex);
        assertThat(kvMetrics.appliedCount()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("kv-cache.json"))).contains("10.0.2.2");
        if (target.isDouble()) {
            assertThat(target.agentDouble().requests()).anyMatch(q -> q.path().equals("/v1/kv/" + key)
                    && q.query() != null && q.query().contains("index=" + firstIndex) && q.query().contains("wait="));
        }
    }

    @Test
    void everyKindOfBadDocumentIsRejectedWholeAndTheLastGoodStays() throws Exception {
        SluiceConfig local = local(target.address());
        SharedConfig shared = startedOn(local, document("10.0.2.1"));
        long good = shared.status().modifyIndex();

        String yaml = "vips: [\n  {name: web, address: 10.100.0.1";
        String padded = document("10.0.2.8") + "#" + "x".repeat(MAX_DOCUMENT_BYTES) + "\n";
        String huge = document("10.0.2.9") + "#" + "x".repeat(100 * 1024) + "\n";
        byte[] notUtf8 = {'v', 'i', 'p', 's', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'};

        rejected(shared, local, good, () -> target.kvPut(key, yaml), "yaml");
        rejected(shared, local, good, () -> target.kvPut(key, schemaDocument()), "schema");
        rejected(shared, local, good, () -> target.kvPut(key, padded), "too_large");
        assertThat(shared.status().lastRejected()).contains("more than max_document_bytes 1024");
        rejected(shared, local, good, () -> target.kvPut(key, huge), "too_large");
        rejected(shared, local, good, () -> target.kvPut(key, notUtf8), "not_utf8");
        rejected(shared, local, good, () -> target.kvDelete(key, false), "missing");
        if (target.isDouble()) {
            rejected(shared, local, good, () -> target.agentDouble().rawKvAnswer(key, "{\"not\": \"a list\"}"),
                    "malformed_answer");
            target.agentDouble().rawKvAnswer(key, null);
        }

        target.kvPut(key, document("10.0.2.3"));
        SharedConfig.Result back = shared.accept(next(), local);
        for (int i = 0; i < 3 && back.outcome() != SharedConfig.Outcome.APPLY; i++) {
            back = shared.accept(next(), local); // the double's raw answer ending shows the key missing first
        }
        assertThat(back.outcome()).isEqualTo(SharedConfig.Outcome.APPLY);
        assertThat(backends(back.config())).containsExactly("10.0.2.3");
        assertThat(shared.status().lastRejected()).as("cleared by a good one").isNull();
    }

    @Test
    void aDocumentRefusedAgainstTheFileIsRetriedWhenAChangedFileMakesItValid() throws Exception {
        SluiceConfig local = local(target.address());
        SharedConfig shared = startedOn(local, document("10.0.2.1"));
        long good = shared.status().modifyIndex();
        double appliedBefore = kvMetrics.appliedCount();

        // IPv6 backends need this host's encap.source_v6, which the file does not have yet.
        target.kvPut(key, document("10.0.2.1", "2001:db8::5"));
        assertThat(shared.accept(next(), local).outcome()).isEqualTo(SharedConfig.Outcome.REJECTED);
        assertThat(shared.status().lastRejected()).startsWith("schema:").contains("source_v6");

        // A reload of the same file: still refused, so the document in force is laid in, unchanged.
        SharedConfig.Merge same = shared.merge(local);
        assertThat(backends(same.config())).containsExactly("10.0.2.1");
        shared.applied(same, "reload");
        assertThat(shared.status().modifyIndex()).isEqualTo(good);
        assertThat(shared.status().lastRejected()).as("still refused").startsWith("schema:");

        // The operator adds encap.source_v6 and reloads: the refused document is the one laid in ...
        SluiceConfig fixed = localWithSourceV6(target.address());
        SharedConfig.Merge retried = shared.merge(fixed);
        assertThat(backends(retried.config())).containsExactly("10.0.2.1", "2001:db8:0:0:0:0:0:5");
        // ... and in force once the daemon runs on it: status, metric, cache.
        shared.applied(retried, "reload");
        assertThat(shared.status().modifyIndex()).isGreaterThan(good);
        assertThat(shared.status().lastRejected()).as("cleared").isNull();
        assertThat(kvMetrics.appliedCount()).isEqualTo(appliedBefore + 1);
        assertThat(Files.readString(dir.resolve("kv-cache.json"))).contains("2001:db8::5");
        assertThat(backends(shared.merge(fixed).config())).containsExactly("10.0.2.1", "2001:db8:0:0:0:0:0:5");
    }

    @Test
    void aDocumentRefusedAtStartupIsRetriedOverTheCachedOneItStartedOn() throws Exception {
        SluiceConfig local = local(target.address());
        startedOn(local, document("10.0.2.1")).close(); // leaves 10.0.2.1 in the cache

        // Restarted while the key holds a version this file refuses: the cached copy is served ...
        target.kvPut(key, document("10.0.2.1", "2001:db8::5"));
        SharedConfig restarted = open(local);
        assertThat(backends(restarted.initial(local))).containsExactly("10.0.2.1");
        assertThat(restarted.status().loadedFrom()).isEqualTo("cache");

        // ... and the refused version from Consul is the one a reload that cures it applies.
        SharedConfig.Merge retried = restarted.merge(localWithSourceV6(target.address()));
        assertThat(backends(retried.config())).containsExactly("10.0.2.1", "2001:db8:0:0:0:0:0:5");
        restarted.applied(retried, "reload");
        assertThat(restarted.status().loadedFrom()).isEqualTo("consul");
    }

    @Test
    void aRefusedDocumentIsNotRetriedOnceANewerVersionReplacedIt() throws Exception {
        SluiceConfig local = local(target.address());
        SharedConfig shared = startedOn(local, document("10.0.2.1"));

        target.kvPut(key, document("10.0.2.1", "2001:db8::5"));
        assertThat(shared.accept(next(), local).outcome()).isEqualTo(SharedConfig.Outcome.REJECTED);
        target.kvDelete(key, false);
        assertThat(shared.accept(next(), local).outcome()).isEqualTo(SharedConfig.Outcome.REJECTED);

        SluiceConfig fixed = localWithSourceV6(target.address());
        assertThat(backends(shared.merge(fixed).config())).as("the key's newest version is gone: the one in force")
                .containsExactly("10.0.2.1");
    }

    private static String schemaDocument() {
        return """
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: 10.0.2.7}]}
                  - {name: api, address: 10.100.0.2, port: 70000, backends: [{address: 10.0.2.x}]}
                """;
    }

    private interface Step {
        void run() throws Exception;
    }

    private void rejected(SharedConfig shared, SluiceConfig local, long good, Step step, String kind)
            throws Exception {
        double before = kvMetrics.rejectedCount(kind);
        step.run();
        SharedConfig.Result r = shared.accept(next(), local);

        assertThat(r.outcome()).as(kind).isEqualTo(SharedConfig.Outcome.REJECTED);
        assertThat(kvMetrics.rejectedCount(kind)).as("counted as " + kind).isEqualTo(before + 1);
        assertThat(shared.status().lastRejected()).startsWith(kind + ":");
        assertThat(shared.status().modifyIndex()).as("the last good one stays in force").isEqualTo(good);
        assertThat(backends(shared.merge(local).config())).containsExactly("10.0.2.1");
        assertThat(Files.readString(dir.resolve("kv-cache.json"))).contains("10.0.2.1").doesNotContain("10.0.2.7");
    }

    @Test
    void anOutageKeepsTheLastGoodAndARestartServesItFromTheCache() throws Exception {
        target.kvPut(key, document("10.0.2.1", "10.0.2.2"));
        SluiceConfig local = local(target.address());
        SharedConfig shared = open(local);
        shared.initial(local);
        long good = shared.status().modifyIndex();

        URI down = target.address();
        if (target.isDouble()) {
            target.agentDouble().stop();
            await("the failed calls are counted", () -> metrics.callErrors("kv") >= 2);
            assertThat(sink.poll(300, TimeUnit.MILLISECONDS)).as("nothing posted while unreachable").isNull();
            assertThat(backends(shared.merge(local).config())).containsExactly("10.0.2.1", "10.0.2.2");
        } else {
            down = unreachable();
        }

        // the daemon restarts while the agent is unreachable
        SluiceConfig restartedLocal = local(down);
        SharedConfig restarted = open(restartedLocal);
        SluiceConfig fromCache = restarted.initial(restartedLocal);

        assertThat(backends(fromCache)).containsExactly("10.0.2.1", "10.0.2.2");
        assertThat(restarted.status().loadedFrom()).isEqualTo("cache");
        assertThat(restarted.status().modifyIndex()).isEqualTo(good);

        if (target.isDouble()) {
            sink.clear();
            target.agentDouble().restart();
            SharedConfig.Result r = restarted.accept(next(), restartedLocal);
            assertThat(r.outcome()).isEqualTo(SharedConfig.Outcome.APPLY);
            assertThat(restarted.status().loadedFrom()).as("the agent's copy replaces the cached one")
                    .isEqualTo("consul");
        }
    }

    @Test
    void withoutConsulOrACacheTheDaemonDoesNotStartAndSaysWhy() throws Exception {
        SluiceConfig local = local(unreachable());
        SharedConfig shared = open(local);

        assertThatThrownBy(() -> shared.initial(local)).isInstanceOf(SharedConfigUnavailable.class)
                .hasMessageContaining("Consul is unreachable").hasMessageContaining("no cached copy for this key")
                .hasMessageContaining("Put a valid document at Consul KV key " + key);
    }

    @Test
    void aMissingKeyAtStartupFallsBackToTheCacheAndSaysSo() throws Exception {
        target.kvPut(key, document("10.0.2.5"));
        SluiceConfig local = local(target.address());
        open(local).initial(local);
        target.kvDelete(key, false);

        SharedConfig restarted = open(local);
        SluiceConfig config = restarted.initial(local);

        assertThat(backends(config)).containsExactly("10.0.2.5");
        assertThat(restarted.status().loadedFrom()).isEqualTo("cache");
        assertThat(kvMetrics.rejectedCount("missing")).isEqualTo(1);
    }

    @Test
    void anIndexThatGoesBackwardsStartsTheWatchOver() throws Exception {
        assumeTrue(target.isDouble(), "only the double can move the index back");
        ConsulAgentDouble agent = target.agentDouble();
        SluiceConfig local = local(target.address());
        SharedConfig shared = startedOn(local, document("10.0.2.1"));
        await("the watch holds a blocking query", () -> agent.waitingQueries() > 0);
        int seen = agent.requests().size();

        agent.resetIndex(2); // a snapshot restore: the key's ModifyIndex is now 2

        SharedConfig.Result same = shared.accept(next(), local);
        assertThat(same.outcome()).isEqualTo(SharedConfig.Outcome.APPLY);
        assertThat(backends(same.config())).containsExactly("10.0.2.1");
        assertThat(shared.status().modifyIndex()).isEqualTo(2);
        await("blocking again", () -> agent.waitingQueries() > 0);
        assertThat(agent.requests().subList(seen, agent.requests().size()))
                .as("after the index went back, a query from index 0, then one blocking on the new index")
                .anyMatch(q -> q.path().equals("/v1/kv/" + key) && q.query() == null)
                .anyMatch(q -> q.path().equals("/v1/kv/" + key) && q.query() != null
                        && q.query().startsWith("index=2&"));
        target.kvPut(key, document("10.0.2.1", "10.0.2.4"));
        SharedConfig.Result changed = shared.accept(next(), local);
        assertThat(backends(changed.config())).containsExactly("10.0.2.1", "10.0.2.4");
    }

    private static URI unreachable() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort()); // closed again: nothing listens there
        }
    }
}
