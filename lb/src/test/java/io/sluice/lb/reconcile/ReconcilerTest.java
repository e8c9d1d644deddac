package io.sluice.lb.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.PinnedBalancer;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.maglev.MaglevBackend;
import io.sluice.lb.maglev.MaglevTable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against the real balancer maps in the kernel. */
class ReconcilerTest {
    private static final int TABLE_SIZE = 251;
    private static final int SMALL_FLOW_TABLE = 1024;

    private PinnedBalancer balancer;
    private Path pinDir;
    private DataplaneMaps maps;

    @BeforeEach
    void load() {
        assumeTrue(BpfTestSupport.isRoot(), "needs root for BPF");
        balancer = PinnedBalancer.load("reconciler", SMALL_FLOW_TABLE);
        pinDir = balancer.pinDir();
        maps = balancer.maps();
    }

    @AfterEach
    void unload() {
        if (balancer != null) {
            balancer.close();
        }
    }

    @Test
    void programsVipsBackendsAndTablesMatchingMaglev() throws Exception {
        DesiredState desired = state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 1), backend("fd00:2::13", 2)));

        ReconcileReport report = new Reconciler(maps).apply(desired);

        assertThat(report.vipsAdded()).isEqualTo(1);
        assertThat(report.backendsAdded()).isEqualTo(3);
        assertThat(report.tablesSwapped()).isEqualTo(1);
        Map<VipKey, VipMeta> vips = maps.readVips();
        assertThat(vips).containsOnlyKeys(desired.vips().get(0).key());
        int[] slots = maps.readMaglevTable(vips.values().iterator().next().vipId()).orElseThrow();
        assertThat(slots).hasSize(TABLE_SIZE);
        assertThat(toIdentities(slots)).isEqualTo(expectedOwners(desired.vips().get(0)));
        assertThat(maps.readConfig()).contains(desired.settings());
    }

    @Test
    void secondApplyOfTheSameStateWritesNothing() throws Exception {
        DesiredState desired = state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 1)));
        new Reconciler(maps).apply(desired);

        ReconcileReport again = new Reconciler(maps).apply(desired);

        assertThat(again.changedAnything()).as(again.toLogFields()).isFalse();
    }

    @Test
    void restartedDaemonAdoptingPinnedMapsWritesNothing() throws Exception {
        DesiredState desired = state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 3)));
        new Reconciler(maps).apply(desired);
        maps.close();
        maps = null;

        try (DataplaneMaps adopted = DataplaneMaps.openPinned(pinDir)) {
            ReconcileReport report = new Reconciler(adopted).apply(desired);
            assertThat(report.changedAnything()).as(report.toLogFields()).isFalse();
        }
    }

    @Test
    void aTableChangedBehindTheReconcilersBackIsNoticedAndRestored() throws Exception {
        DesiredState desired = state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 1)));
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(desired);
        int vipId = maps.readVips().get(desired.vips().get(0).key()).vipId();
        int[] good = maps.readMaglevTable(vipId).orElseThrow();
        int[] tampered = good.clone();
        tampered[0] = java.util.Arrays.stream(good).filter(id -> id != good[0]).findFirst().orElseThrow();
        maps.swapMaglevTable(vipId, tampered);

        ReconcileReport report = reconciler.apply(desired);

        assertThat(report.tablesSwapped()).isEqualTo(1);
        assertThat(maps.readMaglevTable(vipId)).hasValueSatisfying(t -> assertThat(t).isEqualTo(good));
        assertThat(reconciler.apply(desired).changedAnything()).isFalse();
    }

    @Test
    void drainKeepsTheBackendsIdAndPairsItsBucketsAndARestartWritesNothing() throws Exception {
        DesiredBackend be1 = backend("10.0.2.11", 1);
        DesiredBackend be2 = backend("10.0.2.12", 1);
        DesiredBackend be2Draining = new DesiredBackend(be2.address(), 1, true);
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web(be1, be2)));
        Map<InetAddress, Integer> ids = idsByAddress();

        DesiredState draining = state(web(be1, be2Draining));
        ReconcileReport report = reconciler.apply(draining);

        assertThat(report.tablesSwapped()).isEqualTo(1);
        assertThat(report.backendsAdded() + report.backendsRemoved()).isZero();
        assertThat(idsByAddress()).isEqualTo(ids);
        assertThat(maps.readBackends().get(ids.get(be2.address())).inUse()).isTrue();
        int vipId = maps.readVips().values().iterator().next().vipId();
        int[] slots = maps.readMaglevTable(vipId).orElseThrow();
        assertThat(Arrays.stream(slots).map(io.sluice.lb.dataplane.PackedSlot::owner).distinct())
                .containsExactly(ids.get(be1.address()));
        assertThat(Arrays.stream(slots).map(io.sluice.lb.dataplane.PackedSlot::previousOwner).distinct())
                .containsExactlyInAnyOrder(-1, ids.get(be2.address()));
        assertThat(new Reconciler(maps).apply(draining).changedAnything()).isFalse();

        ReconcileReport undrain = reconciler.apply(state(web(be1, be2)));
        assertThat(undrain.tablesSwapped()).isEqualTo(1);
        assertThat(undrain.backendsAdded() + undrain.backendsRemoved()).isZero();
        assertThat(idsByAddress()).isEqualTo(ids);
    }

    @Test
    void weightChangeSwapsOnlyThatVipsTable() throws Exception {
        DesiredVip web = web(backend("10.0.2.11", 1), backend("10.0.2.12", 1));
        DesiredVip dns = vip("dns", "10.100.0.2", 53, Protocol.UDP, backend("10.0.2.12", 1), backend("10.0.2.13", 1));
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web, dns));

        ReconcileReport report = reconciler.apply(state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 5)), dns));

        assertThat(report.tablesSwapped()).isEqualTo(1);
        assertThat(report.tablesBuilt()).as("dns's inputs did not change: its table is not built again").isEqualTo(1);
        assertThat(report.vipsAdded() + report.vipsRemoved() + report.backendsAdded() + report.backendsRemoved())
                .isZero();
    }

    @Test
    void aTableIsBuiltOnlyWhenWhatItIsBuiltFromChanged() throws Exception {
        DesiredVip web = web(backend("10.0.2.11", 1), backend("10.0.2.12", 1));
        DesiredVip dns = vip("dns", "10.100.0.2", 53, Protocol.UDP, backend("10.0.2.12", 1), backend("10.0.2.13", 1));
        Reconciler reconciler = new Reconciler(maps);
        assertThat(reconciler.apply(state(web, dns)).tablesBuilt()).isEqualTo(2);

        ReconcileReport again = reconciler.apply(state(web, dns));
        assertThat(again.tablesBuilt()).isZero();
        assertThat(again.changedAnything()).isFalse();

        // A restarted daemon did not build the tables in place: it builds each once to compare.
        Reconciler adopter = new Reconciler(maps);
        ReconcileReport adopted = adopter.apply(state(web, dns));
        assertThat(adopted.tablesBuilt()).isEqualTo(2);
        assertThat(adopted.changedAnything()).isFalse();
        assertThat(adopter.apply(state(web, dns)).tablesBuilt()).isZero();

        // Draining a backend of dns changes what dns's table is built from, and only that.
        DesiredVip dnsDraining = vip("dns", "10.100.0.2", 53, Protocol.UDP, backend("10.0.2.12", 1),
                new DesiredBackend(InetAddress.getByName("10.0.2.13"), 1, true));
        ReconcileReport drain = adopter.apply(state(web, dnsDraining));
        assertThat(drain.tablesBuilt()).isEqualTo(1);
        assertThat(drain.tablesSwapped()).isEqualTo(1);
        int dnsId = maps.readVips().get(dns.key()).vipId();
        InetAddress stays = InetAddress.getByName("10.0.2.12");
        int staysId = maps.readBackends().entrySet().stream()
                .filter(e -> e.getValue().ownerVip() == dnsId && e.getValue().address().equals(stays))
                .mapToInt(Map.Entry::getKey).findFirst().orElseThrow();
        assertThat(Arrays.stream(maps.readMaglevTable(dnsId).orElseThrow())
                .map(io.sluice.lb.dataplane.PackedSlot::owner).distinct()).containsExactly(staysId);
    }

    @Test
    void removedVipAndItsOnlyBackendAreCleared() throws Exception {
        DesiredVip web = web(backend("10.0.2.11", 1));
        DesiredVip dns = vip("dns", "10.100.0.2", 53, Protocol.UDP, backend("10.0.2.13", 1));
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web, dns));
        int dnsId = maps.readVips().get(dns.key()).vipId();

        ReconcileReport report = reconciler.apply(state(web));

        assertThat(report.vipsRemoved()).isEqualTo(1);
        assertThat(report.backendsRemoved()).isEqualTo(1);
        assertThat(maps.readVips()).containsOnlyKeys(web.key());
        assertThat(maps.readMaglevTable(dnsId)).isEmpty();
        assertThat(maps.readBackends().values()).extracting(BackendEntry::address)
                .containsExactly(InetAddress.getByName("10.0.2.11"));
    }

    @Test
    void vipWhoseBackendsAllHaveWeightZeroHasNoTableButKeepsItsBackends() throws Exception {
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web(backend("10.0.2.11", 1))));
        DesiredVip quiesced = web(backend("10.0.2.11", 0));

        ReconcileReport report = reconciler.apply(state(quiesced));

        int vipId = maps.readVips().get(quiesced.key()).vipId();
        assertThat(report.tablesSwapped()).isEqualTo(1);
        assertThat(maps.readMaglevTable(vipId)).isEmpty();
        assertThat(maps.readBackends()).hasSize(1);
    }

    @Test
    void backendIdsAreReusedOnlyAfterRelease() throws Exception {
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web(backend("10.0.2.11", 1), backend("10.0.2.12", 1))));
        Map<InetAddress, Integer> before = idsByAddress();

        reconciler.apply(state(web(backend("10.0.2.12", 1), backend("10.0.2.14", 1))));

        Map<InetAddress, Integer> after = idsByAddress();
        InetAddress kept = InetAddress.getByName("10.0.2.12");
        assertThat(after.get(kept)).as("a backend that stays keeps its id").isEqualTo(before.get(kept));
        assertThat(after).hasSize(2);
    }

    @Test
    void aServerBehindTwoVipsHasOneIdPerVipAndLeavesOnlyTheVipThatDropsIt() throws Exception {
        DesiredVip web = web(backend("10.0.2.11", 1), backend("10.0.2.12", 1));
        DesiredVip alt = vip("alt", "10.100.0.2", 8080, Protocol.TCP, backend("10.0.2.12", 1));
        Reconciler reconciler = new Reconciler(maps);
        reconciler.apply(state(web, alt));
        int webId = maps.readVips().get(web.key()).vipId();
        int altId = maps.readVips().get(alt.key()).vipId();
        InetAddress shared = InetAddress.getByName("10.0.2.12");
        Map<Integer, BackendEntry> before = maps.readBackends();
        assertThat(before.values()).filteredOn(b -> b.address().equals(shared))
                .extracting(BackendEntry::ownerVip).containsExactlyInAnyOrder(webId, altId);

        // web's check took 10.0.2.12 out: only web's id for it is cleared.
        ReconcileReport report = reconciler.apply(state(web(backend("10.0.2.11", 1)), alt));

        assertThat(report.backendsRemoved()).isEqualTo(1);
        Map<Integer, BackendEntry> after = maps.readBackends();
        assertThat(after.values()).filteredOn(b -> b.address().equals(shared))
                .extracting(BackendEntry::ownerVip).containsExactly(altId);
        int altBackendId = maps.readMaglevTable(altId).orElseThrow()[0];
        assertThat(after.get(altBackendId).address()).isEqualTo(shared);
    }

    @Test
    void hostsWithOtherBackendIdsReportTheSameFingerprintAndAnAdopterRecomputesIt() throws Exception {
        DesiredVip web = web(backend("10.0.2.11", 1), backend("10.0.2.12", 3), backend("fd00:2::13", 2));
        Reconciler here = new Reconciler(maps);
        here.apply(state(web));
        String fingerprint = here.fingerprints().get(web.key());
        assertThat(fingerprint).matches("[0-9a-f]{16}");

        Path otherDir = BpfTestSupport.newPinDir("reconciler-other-host");
        try (BpfObject otherObject = PinnedBalancer.load(otherDir, SMALL_FLOW_TABLE);
             DataplaneMaps other = DataplaneMaps.of(otherObject)) {
            // Another host met another VIP first: its ids for the same backends differ.
            Reconciler there = new Reconciler(other);
            there.apply(state(vip("dns", "10.100.0.53", 53, Protocol.UDP, backend("10.0.3.1", 1),
                    backend("10.0.3.2", 1))));
            there.apply(state(vip("dns", "10.100.0.53", 53, Protocol.UDP, backend("10.0.3.1", 1),
                    backend("10.0.3.2", 1)), web(backend("fd00:2::13", 2), backend("10.0.2.12", 3),
                    backend("10.0.2.11", 1))));
            assertThat(idsOf(other, "10.0.2.11")).isNotEqualTo(idsOf(maps, "10.0.2.11"));
            assertThat(there.fingerprints().get(web.key())).isEqualTo(fingerprint);
        } finally {
            BpfTestSupport.removePinDir(otherDir);
        }

        maps.close();
        maps = null;
        try (DataplaneMaps adopted = DataplaneMaps.openPinned(pinDir)) {
            Reconciler restarted = new Reconciler(adopted);
            restarted.apply(state(web));
            assertThat(restarted.fingerprints()).containsEntry(web.key(), fingerprint);

            DesiredVip heavier = web(backend("10.0.2.11", 2), backend("10.0.2.12", 3), backend("fd00:2::13", 2));
            restarted.apply(state(heavier));
            assertThat(restarted.fingerprints().get(web.key())).isNotEqualTo(fingerprint);

            restarted.apply(state(web(backend("10.0.2.11", 0))));
            assertThat(restarted.fingerprints()).containsEntry(web.key(), TableFingerprint.NONE);
        }
    }

    private static Integer idsOf(DataplaneMaps in, String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        return in.readBackends().entrySet().stream().filter(e -> e.getValue().address().equals(a))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private Map<InetAddress, Integer> idsByAddress() {
        Map<InetAddress, Integer> ids = new HashMap<>();
        maps.readBackends().forEach((id, entry) -> ids.put(entry.address(), id));
        return ids;
    }

    private List<String> toIdentities(int[] slots) {
        Map<Integer, BackendEntry> backends = maps.readBackends();
        List<String> owners = new ArrayList<>(slots.length);
        for (int id : slots) {
            owners.add(BackendIdentity.of(backends.get(id).address()));
        }
        return owners;
    }

    private static List<String> expectedOwners(DesiredVip vip) {
        List<MaglevBackend> candidates = vip.backends().stream()
                .map(b -> new MaglevBackend(b.identity(), b.weight())).toList();
        MaglevTable table = MaglevTable.build(candidates, vip.tableSize());
        String[] owners = new String[table.size()];
        Arrays.setAll(owners, slot -> table.backends().get(table.ownerIndex(slot)).identity());
        return List.of(owners);
    }

    private static DesiredState state(DesiredVip... vips) throws Exception {
        LbConfigEntry settings = new LbConfigEntry(new byte[] {2, 0, 0, 0, 0, 3}, 1600,
                (Inet4Address) InetAddress.getByName("172.16.0.0"), 0xffff,
                (Inet6Address) InetAddress.getByName("fd00:5c1c::"), 0xff, 0);
        return new DesiredState(settings, List.of(vips));
    }

    private static DesiredVip web(DesiredBackend... backends) throws Exception {
        return vip("web", "10.100.0.1", 80, Protocol.TCP, backends);
    }

    private static DesiredVip vip(String name, String address, int port, Protocol protocol,
                                  DesiredBackend... backends) throws Exception {
        return new DesiredVip(name, new VipKey(InetAddress.getByName(address), port, protocol), TABLE_SIZE,
                List.of(backends));
    }

    private static DesiredBackend backend(String address, int weight) throws Exception {
        return new DesiredBackend(InetAddress.getByName(address), weight);
    }
}
