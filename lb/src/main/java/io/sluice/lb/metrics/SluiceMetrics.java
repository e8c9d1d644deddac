package io.sluice.lb.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.sluice.health.Target;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.lb.net.AddressText;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * Every number sluiced exposes to Prometheus, on one registry.
 *
 * <p>Data-plane counters live in per-CPU BPF maps; the daemon's thread sums them into its status
 * snapshot every second and {@link #publish publishes} it here, and scrapes read the latest
 * snapshot: a scrape never touches the maps or waits for the daemon. Counters the daemon itself
 * counts (reconciles, errors, health transitions, check latencies) are ordinary instruments,
 * safe to update from any thread.
 */
public final class SluiceMetrics {
    private static final double[] CHECK_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5};
    private static final double[] RECONCILE_SECONDS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    private static final String[] VIP_LABELS = {"vip", "address", "port", "protocol"};
    private static final String[] BACKEND_LABELS = {"vip", "backend"};
    private static final java.util.Set<String> ADMIN_METHODS = java.util.Set.of("GET", "POST", "PATCH", "DELETE", "PUT",
            "HEAD");
    private static final String[] DRAIN_STATES = {"active", "filling", "draining", "drained"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicReference<DaemonStatus> latest = new AtomicReference<>();
    /** By the flow table's family label ("ipv4", "ipv6"): set by the event loop, read by scrapes. */
    private final Map<String, Long> flowTableFlows = new ConcurrentSkipListMap<>();
    private final Map<String, Long> flowTableSlots = new ConcurrentSkipListMap<>();
    private final Counter reconciles;
    private final Histogram reconcileDuration;
    private final Counter reconcileErrors;
    private final Counter healthTransitions;
    private final Histogram checkDuration;
    private final Counter adminRequests;
    private final Counter drainTransitions;

    public SluiceMetrics(String version) {
        Info.builder().name("sluice_build_info").help("The running sluiced build.").labelNames("version")
                .register(registry).setLabelValues(version);

        vipCounter("sluice_vip_packets", "Packets forwarded for the VIP (all CPUs).", VipStatus::packets);
        vipCounter("sluice_vip_bytes", "Bytes (inner IP length) forwarded for the VIP.", VipStatus::bytes);
        vipCounter("sluice_vip_new_flows", "New flows the VIP's Maglev table chose a backend for.",
                VipStatus::newFlows);
        backendCounter("sluice_backend_packets", "Packets forwarded to the backend for the VIP.",
                BackendStatus::packets);
        backendCounter("sluice_backend_bytes", "Bytes forwarded to the backend for the VIP.", BackendStatus::bytes);
        backendCounter("sluice_backend_new_flows", "New flows the VIP's table gave the backend.",
                BackendStatus::newFlows);
        GaugeWithCallback.builder().name("sluice_backend_up")
                .help("1 if the backend takes new flows by health (UP or unchecked), 0 if DOWN.")
                .labelNames(BACKEND_LABELS).callback(cb -> eachBackend((vip, b) ->
                        cb.call("down".equals(b.health()) ? 0 : 1, vip.name(), b.address())))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_backend_effective_weight")
                .help("The weight the VIP's current table was built with (0 = not in the table).")
                .labelNames(BACKEND_LABELS).callback(cb -> eachBackend((vip, b) ->
                        cb.call(b.effectiveWeight(), vip.name(), b.address())))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_vip_all_backends_down")
                .help("Alert: 1 while every checked backend of the VIP is DOWN (see when_all_down).")
                .labelNames(VIP_LABELS).callback(cb -> eachVip(vip ->
                        cb.call(vip.allBackendsDown() ? 1 : 0, vipLabels(vip))))
                .register(registry);
        VipTableInfo.register(registry, latest::get);
        CounterWithCallback.builder().name("sluice_packets")
                .help("Packets seen by the balancer program, by what became of them (drop_* are drops).")
                .labelNames("reason").callback(cb -> {
                    DaemonStatus s = latest.get();
                    if (s != null) {
                        for (Map.Entry<String, Long> e : s.packetReasons().entrySet()) {
                            cb.call(e.getValue(), e.getKey());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sluice_flow_table_flows")
                .help("Flows remembered in the flow cache's table for one address family, all CPUs"
                        + " (refreshed every few seconds).")
                .labelNames("family").callback(cb -> flowTableFlows.forEach((family, n) -> cb.call(n, family)))
                .register(registry);
        GaugeWithCallback.builder().name("sluice_flow_table_slots")
                .help("Flows the flow cache's table for one address family can hold, all CPUs:"
                        + " occupancy = sluice_flow_table_flows / this.")
                .labelNames("family").callback(cb -> flowTableSlots.forEach((family, n) -> cb.call(n, family)))
                .register(registry);

        GaugeWithCallback.builder().name("sluice_backend_drain_state")
                .help("1 for the backend's drain state (active, filling, draining, drained), 0 for the others.")
                .labelNames("vip", "backend", "state").callback(cb -> eachBackend((vip, b) -> {
                    for (String state : DRAIN_STATES) {
                        cb.call(state.equals(b.drainState()) ? 1 : 0, vip.name(), b.address(), state);
                    }
                })).register(registry);
        drainTransitions = Counter.builder().name("sluice_drain_transitions")
                .help("Drain-state changes of backends, by new state and reason (quiet, timeout, health_down, ...).")
                .labelNames("vip", "backend", "to", "reason").register(registry);

        reconciles = Counter.builder().name("sluice_reconciles").help("Reconciles run, by cause.")
                .labelNames("cause").register(registry);
        reconcileDuration = Histogram.builder().name("sluice_reconcile_duration_seconds")
                .help("Time to make the maps match the desired state.").unit(Unit.SECONDS)
                .classicUpperBounds(RECONCILE_SECONDS).classicOnly().register(registry);
        reconcileErrors = Counter.builder().name("sluice_map_update_errors")
                .help("Reconciles that failed to write the maps (retried on the next refresh).")
                .register(registry);
        healthTransitions = Counter.builder().name("sluice_health_transitions")
                .help("Backends going UP or DOWN, by VIP.").labelNames("vip", "backend", "to").register(registry);
        checkDuration = Histogram.builder().name("sluice_health_check_duration_seconds")
                .help("Health check latency, by backend, port, check type and result.").unit(Unit.SECONDS)
                .labelNames("backend", "port", "check", "result").classicUpperBounds(CHECK_SECONDS).classicOnly()
                .register(registry);
        adminRequests = Counter.builder().name("sluice_admin_requests")
                .help("Admin API requests answered, by method and HTTP status (changes are the non-GET ones).")
                .labelNames("method", "code").register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The daemon's latest view: what the data-plane counters and health gauges report. */
    public void publish(DaemonStatus status) {
        latest.set(status);
    }

    /** Flows remembered in the table of {@code family} ("ipv4", "ipv6"). */
    public void flowTableFlows(String family, long flows) {
        flowTableFlows.put(family, flows);
    }

    /** The capacity in flows of the table of {@code family} (buckets x ways). */
    public void flowTableSlots(String family, long slots) {
        flowTableSlots.put(family, slots);
    }

    public void reconciled(String cause, Duration took) {
        reconciles.labelValues(cause).inc();
        reconcileDuration.observe(took.toNanos() / 1e9);
    }

    public void reconcileFailed() {
        reconcileErrors.inc();
    }

    public void drainTransition(String vip, String backend, String to, String reason) {
        drainTransitions.labelValues(vip, backend, to, reason).inc();
    }

    public void healthTransition(String vip, String backend, String to) {
        healthTransitions.labelValues(vip, backend, to).inc();
    }

    /** One admin API answer; called on the API's event loop. */
    public void adminRequest(String method, int status) {
        // Clients choose the method token: only the ones the API serves become label values.
        String label = ADMIN_METHODS.contains(method) ? method : "other";
        adminRequests.labelValues(label, Integer.toString(status)).inc();
    }

    /** Every check result; called on the engine's event loop, so it only records. */
    public void checkResult(Target target, CheckSpec spec, CheckResult result) {
        checkDuration.labelValues(AddressText.of(target.address()), Integer.toString(target.port()),
                spec.kind().name(), result.passed() ? "pass" : "fail").observe(result.latency().toNanos() / 1e9);
    }

    private void vipCounter(String name, String help, ToLongFunction<VipStatus> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(VIP_LABELS)
                .callback(cb -> eachVip(vip -> cb.call(value.applyAsLong(vip), vipLabels(vip))))
                .register(registry);
    }

    private void backendCounter(String name, String help, ToLongFunction<BackendStatus> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(BACKEND_LABELS)
                .callback(cb -> eachBackend((vip, b) -> cb.call(value.applyAsLong(b), vip.name(), b.address())))
                .register(registry);
    }

    private void eachVip(java.util.function.Consumer<VipStatus> action) {
        DaemonStatus s = latest.get();
        if (s != null) {
            s.vips().forEach(action);
        }
    }

    private void eachBackend(java.util.function.BiConsumer<VipStatus, BackendStatus> action) {
        eachVip(vip -> vip.backends().forEach(b -> action.accept(vip, b)));
    }

    private static String[] vipLabels(VipStatus vip) {
        return new String[] {vip.name(), vip.address(), Integer.toString(vip.port()), vip.protocol()};
    }
}
