package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.cli.SluiceCli;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.metrics.ConsulKvMetrics;
import io.sluice.lb.metrics.ConsulMetrics;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import io.sluice.lb.reconcile.Reconciler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * LB hosts fed by the same shared document compute the same table fingerprints, and a host fed a
 * different one is flagged by {@code sluice fleet check}. Each "host" is what sluiced runs for the
 * shared config: its own watch of the KV key (agent double, or a real agent with SLUICE_CONSUL_ADDR),
 * its own reconciler over its own real, pinned balancer maps (root), and its registration with the
 * fingerprint in the meta, made as sluiced makes it.
 */
class SharedConfigFleetTest {
    private static final int SMALL_FLOW_TABLE = 1024;

    private final String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    private final String prefix = "sluicetest/fleet-" + run;
    private final String service = "sluicetest-kvfleet-" + run;
    private final List<Host> hosts = new ArrayList<>();
    private final List<String> registered = new ArrayList<>();
    private ConsulTarget target;
    private ConsulClient client;

    @TempDir
    Path dir;

    /** One LB host: the shared config's watch, its maps and reconciler. */
    private final class Host implements AutoCloseable {
        final String name;
        final SluiceConfig local;
        final SharedConfig shared;
        final LinkedBlockingQueue<KvUpdate> updates = new LinkedBlockingQueue<>();
        final Path pinDir;
        final BpfObject object;
        final DataplaneMaps maps;
        final Reconciler reconciler;
        SluiceConfig config;

        Host(String name, String fleetPrefix) throws Exception {
            this.name = name;
            local = ConfigLoader.parse("""
                    interface: eth0
                    gateway_mac: "02:00:00:00:00:01"
                    encap: {source_v4: 172.16.0.0/16}
                    consul:
                      address: "%s"
                      wait: 1m
                      kv: {prefix: %s, cache_file: %s}
                    """.formatted(target.address(), fleetPrefix, dir.resolve(name + "-kv.json")));
            PrometheusRegistry registry = new PrometheusRegistry();
            shared = SharedConfig.of(local.consul(), new ConsulClient(target.address(), target.token(), 1 << 20),
                    new ConsulMetrics(registry), new ConsulKvMetrics(registry), updates::add);
            pinDir = BpfTestSupport.newPinDir("kvfleet-" + name);
            object = DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()).pinMapsUnder(pinDir),
                    SMALL_FLOW_TABLE).load();
            maps = DataplaneMaps.of(object);
            reconciler = new Reconciler(maps);
        }

        void start() throws Exception {
            apply(shared.initial(local));
        }

        /** Takes the watch's next update and reconciles, as the daemon does. */
        void follow() throws Exception {
            KvUpdate u = updates.poll(20, TimeUnit.SECONDS);
            assertThat(u).as(name + " sees the change").isNotNull();
            SharedConfig.Result r = shared.accept(u, local);
            assertThat(r.outcome()).isEqualTo(SharedConfig.Outcome.APPLY);
            apply(r.config());
        }

        private void apply(SluiceConfig merged) throws Exception {
            config = merged;
            reconciler.apply(desired(merged));
        }

        String fingerprint() {
            return reconciler.fingerprints().get(config.vips().get(0).key());
        }

        /** Registers the VIP with its fingerprint, as sluiced does (one service ID per host on the one-node double). */
        void register() throws Exception {
            VipConfig vip = config.vips().get(0);
            VipRegistration r = VipRegistration.of(vip, vip.consul().orElseThrow(), Duration.ofMinutes(5),
                    Duration.ofMinutes(10), name, "test").withFingerprint(fingerprint());
            ObjectNode body = r.body(true);
            String id = r.serviceId() + "@" + name;
            body.put("ID", id);
            ((ObjectNode) body.get("Check")).put("CheckID", id + "-dataplane");
            client.register(body);
            registered.add(id);
        }

        @Override
        public void close() {
            shared.close();
            maps.close();
            object.close();
            BpfTestSupport.removePinDir(pinDir);
        }
    }

    @BeforeEach
    void open() throws Exception {
        assumeTrue(BpfTestSupport.isRoot(), "needs root for the balancer maps");
        target = ConsulTarget.open();
        client = new ConsulClient(target.address(), target.token(), 1 << 20);
    }

    @AfterEach
    void close() throws Exception {
        if (target == null) {
            return;
        }
        hosts.forEach(Host::close);
        for (String id : registered) {
            try {
                client.deregister(id);
            } catch (ConsulException e) {
                // already gone
            }
        }
        target.kvDelete(prefix, true);
        target.kvDelete(prefix + "-other", true);
        target.close();
    }

    private Host host(String name, String fleetPrefix) throws Exception {
        Host h = new Host(name, fleetPrefix);
        hosts.add(h);
        return h;
    }

    private String document(String weights) {
        return """
                vips:
                  - name: web
                    address: 10.100.0.1
                    port: 80
                    table_size: 251
                    consul: {service: %s}
                    backends: [%s]
                """.formatted(service, weights);
    }

    /** The daemon's desired state with every configured backend (no health checks here). */
    private static DesiredState desired(SluiceConfig config) throws Exception {
        List<DesiredVip> vips = new ArrayList<>();
        for (VipConfig vip : config.vips()) {
            vips.add(new DesiredVip(vip.name(), vip.key(), vip.tableSize(), vip.backends().stream()
                    .map(b -> new DesiredBackend(b.address(), b.weight())).toList()));
        }
        LbConfigEntry settings = new LbConfigEntry(new byte[] {2, 0, 0, 0, 0, 1}, 1500,
                (Inet4Address) InetAddress.getByName("172.16.0.0"), 0xffff,
                (Inet6Address) InetAddress.getByName("::"), 0, 0);
        return new DesiredState(settings, vips);
    }

    private record Run(int exit, String out) {
    }

    private Run fleetCheck() {
        StringWriter out = new StringWriter();
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int exit = cli.execute("fleet", "check", "--consul", target.address().toString(), "--service", service);
        return new Run(exit, out.toString());
    }

    @Test
    void hostsFedTheSameDocumentAgreeAndAHostFedAnotherIsFlagged() throws Exception {
        target.kvPut(prefix + "/config", document("{address: 10.0.2.1}, {address: 10.0.2.2}, {address: 10.0.2.3}"));
        // the odd host's fleet document differs in one weight only
        target.kvPut(prefix + "-other/config", document(
                "{address: 10.0.2.1}, {address: 10.0.2.2, weight: 50}, {address: 10.0.2.3}"));
        Host lb1 = host("lb1", prefix);
        Host lb2 = host("lb2", prefix);
        Host lb3 = host("lb3", prefix + "-other");
        // lb2 met another VIP first, so its backend ids differ from lb1's
        lb2.reconciler.apply(desired(ConfigLoader.withShared(lb2.local, """
                vips:
                  - {name: dns, address: 10.100.0.53, port: 53, protocol: udp, table_size: 251,
                     backends: [{address: 10.0.3.1}, {address: 10.0.2.3}]}
                """)));
        for (Host h : hosts) {
            h.start();
        }

        assertThat(lb1.fingerprint()).matches("[0-9a-f]{16}").isEqualTo(lb2.fingerprint())
                .isNotEqualTo(lb3.fingerprint());
        for (Host h : hosts) {
            h.register();
        }
        Run r = fleetCheck();
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains(service + "/web: DISAGREE, 1 of 3 hosts differ from the majority "
                + lb1.fingerprint() + ": lb3");

        // a change of the fleet's document: lb1 and lb2 converge on a new, common table
        String before = lb1.fingerprint();
        target.kvPut(prefix + "/config", document("{address: 10.0.2.1}, {address: 10.0.2.3}, {address: 10.0.2.4}"));
        lb1.follow();
        lb2.follow();

        assertThat(lb1.fingerprint()).isNotEqualTo(before).isEqualTo(lb2.fingerprint());
        assertThat(lb1.shared.status().modifyIndex()).isEqualTo(lb2.shared.status().modifyIndex());

        // lb3 is moved onto the fleet's document: all agree
        target.kvPut(prefix + "-other/config", document(
                "{address: 10.0.2.1}, {address: 10.0.2.3}, {address: 10.0.2.4}"));
        lb3.follow();
        for (Host h : hosts) {
            h.register();
        }
        Run agreed = fleetCheck();
        assertThat(agreed.exit()).as(agreed.out()).isZero();
        assertThat(agreed.out()).contains(service + "/web: all 3 hosts agree on " + lb1.fingerprint());
    }
}
