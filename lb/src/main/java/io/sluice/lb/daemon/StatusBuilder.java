package io.sluice.lb.daemon;

import io.sluice.health.Target;
import io.sluice.health.TargetStatus;
import io.sluice.health.check.CheckKind;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.HttpCheck;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.HealthCheckConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DataplaneIds;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dataplane.TrafficCounter;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.net.AddressText;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.CheckStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import io.sluice.lb.steering.BackendHealth;
import io.sluice.lb.steering.BackendRef;
import io.sluice.lb.steering.HealthBook;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Assembles the status file's content from the config, the health book, the engine and the maps.
 * Public for the benchmarks (bench/, StatusBuildBenchmark): the daemon's thread is its only user.
 */
public final class StatusBuilder {
    private static final double NANOS_PER_MILLI = 1_000_000.0;

    private final String interfaceName;
    private final boolean adopted;
    private final Instant startedAt;

    public StatusBuilder(String interfaceName, boolean adopted, Instant startedAt) {
        this.interfaceName = interfaceName;
        this.adopted = adopted;
        this.startedAt = startedAt;
    }

    public DaemonStatus build(SluiceConfig config, DesiredState applied, Map<VipKey, String> fingerprints,
                              Set<VipKey> allDown, HealthBook book, DrainBook drains, List<TargetStatus> checks,
                              String transport, DataplaneMaps maps, DataplaneIds ids, Instant now) {
        Map<VipKey, VipMeta> vipIds = ids.vips();
        Map<VipKey, Map<InetAddress, Integer>> backendIdsByVip = new HashMap<>();
        List<Integer> vipIdsInMaps = new ArrayList<>();
        List<Integer> backendIdsInMaps = new ArrayList<>();
        for (VipConfig vip : config.vips()) {
            VipMeta meta = vipIds.get(vip.key());
            Map<InetAddress, Integer> backendIds = meta == null ? Map.of() : ids.backends(meta.vipId());
            backendIdsByVip.put(vip.key(), backendIds);
            if (meta != null) {
                vipIdsInMaps.add(meta.vipId());
            }
            backendIdsInMaps.addAll(backendIds.values());
        }
        // Every counter first, in a few batch reads: one lookup per backend cost 2-3 us each (TrafficReadBenchmark).
        Map<Integer, TrafficCounter> vipTraffic = maps.vipTraffic(vipIdsInMaps);
        Map<Integer, TrafficCounter> backendTraffic = maps.backendTraffic(backendIdsInMaps);
        // Indexed once, not searched per backend: with 5,000 checked backends that search made a
        // build take 35 ms (StatusBuildBenchmark), and a build follows every event.
        Map<Target, List<TargetStatus>> checksByTarget = new HashMap<>();
        checks.forEach(c -> checksByTarget.computeIfAbsent(c.target(), t -> new ArrayList<>(1)).add(c));
        Map<VipKey, DesiredVip> appliedByKey = new HashMap<>();
        applied.vips().forEach(v -> appliedByKey.putIfAbsent(v.key(), v));
        List<VipStatus> vips = new ArrayList<>();
        for (VipConfig vip : config.vips()) {
            VipKey key = vip.key();
            Map<InetAddress, Integer> effective = effectiveWeights(appliedByKey.get(key));
            Map<InetAddress, Integer> backendIds = backendIdsByVip.get(key);
            List<BackendStatus> backends = new ArrayList<>();
            for (BackendConfig backend : vip.backends()) {
                TrafficCounter traffic = Optional.ofNullable(backendIds.get(backend.address()))
                        .map(backendTraffic::get).orElse(TrafficCounter.ZERO);
                backends.add(backendStatus(key, backend, effective, book, drains, checksByTarget, traffic));
            }
            TrafficCounter traffic = Optional.ofNullable(vipIds.get(key)).map(m -> vipTraffic.get(m.vipId()))
                    .orElse(TrafficCounter.ZERO);
            vips.add(new VipStatus(vip.name(), AddressText.of(vip.address()), vip.port(),
                    vip.protocol().name().toLowerCase(Locale.ROOT), vip.tableSize(), fingerprints.get(key),
                    allDown.contains(key),
                    vip.whenAllDown().name().toLowerCase(Locale.ROOT), traffic.packets(), traffic.bytes(),
                    traffic.newFlows(), backends));
        }
        Map<String, Long> reasons = new LinkedHashMap<>();
        for (Map.Entry<Reason, Long> e : maps.reasonCounts().entrySet()) {
            reasons.put(e.getKey().label(), e.getValue());
        }
        return new DaemonStatus(Version.current(), interfaceName, config.pinDir().toString(), adopted,
                startedAt.toString(), now.toString(), transport, vips, reasons);
    }

    private static BackendStatus backendStatus(VipKey vip, BackendConfig backend, Map<InetAddress, Integer> effective,
                                               HealthBook book, DrainBook drains,
                                               Map<Target, List<TargetStatus>> checks, TrafficCounter traffic) {
        BackendRef ref = new BackendRef(vip, backend.address());
        Optional<BackendHealth> health = book.get(ref);
        Integer weightNow = effective.get(backend.address());
        Optional<HealthCheckConfig> check = backend.healthCheck();
        CheckStatus last = check.flatMap(c -> lastResult(backend.address(), c, checks)).orElse(null);
        return new BackendStatus(AddressText.of(backend.address()), backend.weight(),
                weightNow == null ? 0 : weightNow, weightNow != null && weightNow > 0,
                health.map(h -> h.state().name().toLowerCase(Locale.ROOT)).orElse("unchecked"),
                health.filter(h -> h.since().isAfter(Instant.EPOCH)).map(h -> h.since().toString()).orElse(null),
                check.map(StatusBuilder::describe).orElse(null), last, traffic.packets(), traffic.bytes(),
                traffic.newFlows(), drains.state(ref).label(), drains.since(ref).map(Instant::toString).orElse(null),
                drains.detail(ref).orElse(null));
    }

    /** The weights the VIP's table was built with, by address; none when it has no table. */
    private static Map<InetAddress, Integer> effectiveWeights(DesiredVip applied) {
        Map<InetAddress, Integer> weights = new HashMap<>();
        if (applied != null) {
            for (DesiredBackend b : applied.backends()) {
                weights.put(b.address(), b.weight());
            }
        }
        return weights;
    }

    private static Optional<CheckStatus> lastResult(InetAddress address, HealthCheckConfig check,
                                                    Map<Target, List<TargetStatus>> checks) {
        for (TargetStatus status : checks.getOrDefault(new Target(address, check.port()), List.of())) {
            if (status.spec().sharingIdentity().equals(check.spec().sharingIdentity())
                    && status.lastResult() != null) {
                CheckResult r = status.lastResult();
                return Optional.of(new CheckStatus(r.passed(), r.startedAt().toString(),
                        r.latency().toNanos() / NANOS_PER_MILLI, r.detail()));
            }
        }
        return Optional.empty();
    }

    /** e.g. "http :80 GET /health", "tcp :80". */
    static String describe(HealthCheckConfig check) {
        CheckKind kind = check.spec().kind();
        String text = kind.name() + " :" + check.port();
        if (kind instanceof HttpCheck http) {
            text += " " + http.method() + " " + http.path();
        }
        return text + " every " + check.spec().interval().toMillis() + "ms rise " + check.spec().rise()
                + " fall " + check.spec().fall();
    }
}
