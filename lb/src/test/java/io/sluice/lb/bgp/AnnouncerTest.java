package io.sluice.lb.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnouncerTest {
    /** A route table in memory that records every change and can be told to fail. */
    static final class FakeTable implements RouteTable {
        final Set<InetAddress> routes = new HashSet<>();
        final List<String> changes = new ArrayList<>();
        boolean failing;

        @Override
        public Set<InetAddress> read() {
            return Set.copyOf(routes);
        }

        @Override
        public void add(InetAddress vip) {
            if (failing) {
                throw new IllegalStateException("RTNETLINK answers: no buffer space");
            }
            routes.add(vip);
            changes.add("+" + vip.getHostAddress());
        }

        @Override
        public void remove(InetAddress vip) {
            if (failing) {
                throw new IllegalStateException("RTNETLINK answers: no buffer space");
            }
            routes.remove(vip);
            changes.add("-" + vip.getHostAddress());
        }
    }

    @TempDir
    Path dir;

    private final FakeTable table = new FakeTable();
    private final AtomicBoolean deviceRemoved = new AtomicBoolean();
    private final BgpMetrics metrics = new BgpMetrics(new PrometheusRegistry());

    private Announcer announcer(Path state) {
        return new Announcer(table, () -> { }, () -> deviceRemoved.set(true), state, metrics, Clock.systemUTC());
    }

    @Test
    void followsTheServingVipsAndTheAttachment() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        VipKey web = AnnouncePolicyTest.key(vips, "web");
        VipKey dns = AnnouncePolicyTest.key(vips, "dns");
        Announcer a = announcer(dir.resolve("host.json"));
        a.sync(vips, Set.of(web, dns), true);
        assertThat(table.routes).containsExactlyInAnyOrder(InetAddress.getByName("192.0.2.1"),
                InetAddress.getByName("2001:db8::53"));
        a.sync(vips, Set.of(web), true);
        assertThat(table.routes).containsExactly(InetAddress.getByName("192.0.2.1"));
        a.sync(vips, Set.of(web), false);
        assertThat(table.routes).isEmpty();
        assertThat(a.view().vips()).containsEntry("192.0.2.1", "detached");
        assertThat(metrics.changes("announce")).isEqualTo(2);
        assertThat(metrics.changes("withdraw")).isEqualTo(2);
    }

    @Test
    void aSyncThatChangesNothingTouchesNoRoute() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Announcer a = announcer(dir.resolve("host.json"));
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web")), true);
        int before = table.changes.size();
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web")), true);
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web"), AnnouncePolicyTest.key(vips, "tls")), true);
        assertThat(table.changes).hasSize(before);
    }

    @Test
    void aDrainWithdrawsAndSurvivesARestart() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Set<VipKey> all = Set.of(AnnouncePolicyTest.key(vips, "web"), AnnouncePolicyTest.key(vips, "dns"));
        Path state = dir.resolve("sub/host.json");
        Announcer a = announcer(state);
        a.sync(vips, all, true);
        HostView drained = a.drain(true);
        assertThat(table.routes).isEmpty();
        assertThat(drained.drained()).isTrue();
        assertThat(drained.vips().values()).containsOnly("host_drained");
        assertThat(Files.readString(state)).contains("\"drained\":true");

        Announcer restarted = announcer(state);
        restarted.sync(vips, all, true);
        assertThat(table.routes).isEmpty();
        assertThat(restarted.drained()).isTrue();
        restarted.drain(false);
        assertThat(table.routes).hasSize(2);
    }

    @Test
    void aDamagedStateFileKeepsTheHostDrained() throws Exception {
        Path state = dir.resolve("host.json");
        Files.writeString(state, "{not json");
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Announcer a = announcer(state);
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web")), true);
        assertThat(a.drained()).isTrue();
        assertThat(table.routes).isEmpty();
        a.drain(false);
        assertThat(table.routes).hasSize(1);
    }

    @Test
    void aFailedChangeIsRetriedOnTheNextSync() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Set<VipKey> web = Set.of(AnnouncePolicyTest.key(vips, "web"));
        Announcer a = announcer(dir.resolve("host.json"));
        table.failing = true;
        a.sync(vips, web, true);
        assertThat(table.routes).isEmpty();
        assertThat(a.view().vips().get("192.0.2.1")).contains("pending");
        table.failing = false;
        a.sync(vips, web, true);
        assertThat(table.routes).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(a.view().vips()).containsEntry("192.0.2.1", "announced");
    }

    @Test
    void routesAPreviousDaemonLeftAreKeptOrWithdrawnBySync() throws Exception {
        table.routes.add(InetAddress.getByName("192.0.2.1"));
        table.routes.add(InetAddress.getByName("198.51.100.9")); // a VIP no longer configured
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Announcer a = announcer(dir.resolve("host.json"));
        assertThat(table.changes).isEmpty(); // nothing withdrawn before the first decision
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web")), true);
        assertThat(table.routes).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(table.changes).containsExactly("-198.51.100.9");
    }

    @Test
    void aCleanStopWithdrawsEverythingAndRemovesTheDevice() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Announcer a = announcer(dir.resolve("host.json"));
        a.sync(vips, Set.of(AnnouncePolicyTest.key(vips, "web"), AnnouncePolicyTest.key(vips, "dns")), true);
        a.close();
        assertThat(table.routes).isEmpty();
        assertThat(deviceRemoved).isTrue();
    }

    /** A clock the test moves. */
    private static final class StepClock extends Clock {
        private java.time.Instant now = java.time.Instant.parse("2026-11-23T12:00:00Z");

        void advance(java.time.Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void aRouteDeletedBehindItsBackIsPutBackAtTheNextReread() throws Exception {
        List<VipConfig> vips = AnnouncePolicyTest.vips();
        Set<VipKey> serving = Set.of(AnnouncePolicyTest.key(vips, "web"), AnnouncePolicyTest.key(vips, "dns"));
        StepClock clock = new StepClock();
        Announcer a = new Announcer(table, () -> { }, () -> { }, dir.resolve("host.json"), metrics, clock);
        a.sync(vips, serving, true);
        InetAddress web = InetAddress.getByName("192.0.2.1");
        InetAddress stray = InetAddress.getByName("198.51.100.9");
        table.routes.remove(web); // ip route flush, by someone else
        table.routes.add(stray); // and a route sluice never installed, in its own table

        clock.advance(Announcer.REREAD_INTERVAL.minusSeconds(1));
        a.sync(vips, serving, true);
        assertThat(table.routes).doesNotContain(web); // not read back yet: no ip runs every refresh
        assertThat(metrics.drifts()).isZero();

        clock.advance(java.time.Duration.ofSeconds(1));
        a.sync(vips, serving, true);
        assertThat(table.routes).containsExactlyInAnyOrder(web, InetAddress.getByName("2001:db8::53"));
        assertThat(metrics.drifts()).isEqualTo(1);
        assertThat(a.view().vips()).containsEntry("192.0.2.1", "announced");

        clock.advance(Announcer.REREAD_INTERVAL);
        a.sync(vips, serving, true);
        assertThat(metrics.drifts()).isEqualTo(1); // read back again, nothing differed
    }
}
