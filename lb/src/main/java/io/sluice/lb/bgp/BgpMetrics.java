package io.sluice.lb.bgp;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What sluiced exposes about its announcements: each VIP address's state, the host drain, the changes. */
public final class BgpMetrics {
    private final Gauge announced;
    private final Gauge hostDrained;
    private final Counter changes;
    private final Counter routeErrors;
    private final Counter routeDrift;

    public BgpMetrics(PrometheusRegistry registry) {
        announced = Gauge.builder().name("sluice_bgp_vip_announced")
                .help("1 while the VIP address is announced (its route is in sluice's table for BIRD), 0 while"
                        + " withdrawn; reason says why (announced, host_drained, detached, no_healthy_backend).")
                .labelNames("address", "reason").register(registry);
        hostDrained = Gauge.builder().name("sluice_bgp_host_drained")
                .help("1 while the operator has drained this LB host (sluice host drain).").register(registry);
        changes = Counter.builder().name("sluice_bgp_route_changes")
                .help("VIP routes added (announce) or removed (withdraw) for BIRD.")
                .labelNames("op").register(registry);
        routeErrors = Counter.builder().name("sluice_bgp_route_errors")
                .help("Route changes that failed (retried on the next refresh).").register(registry);
        routeDrift = Counter.builder().name("sluice_bgp_route_drift")
                .help("Times the table read back differed from what sluiced had installed (a route deleted or"
                        + " added by someone else): put right at once.").register(registry);
    }

    /** Sets the address's state: one series per address, the reason label replaced. */
    void state(String address, AnnouncePolicy.Verdict verdict) {
        for (AnnouncePolicy.Verdict v : AnnouncePolicy.Verdict.values()) {
            if (v != verdict) {
                announced.remove(address, v.label());
            }
        }
        announced.labelValues(address, verdict.label()).set(verdict == AnnouncePolicy.Verdict.ANNOUNCED ? 1 : 0);
    }

    void forget(String address) {
        for (AnnouncePolicy.Verdict v : AnnouncePolicy.Verdict.values()) {
            announced.remove(address, v.label());
        }
    }

    void hostDrained(boolean drained) {
        hostDrained.set(drained ? 1 : 0);
    }

    void changed(boolean announce) {
        changes.labelValues(announce ? "announce" : "withdraw").inc();
    }

    void routeFailed() {
        routeErrors.inc();
    }

    void routeDrifted() {
        routeDrift.inc();
    }

    public double drifts() {
        return routeDrift.get();
    }

    public double changes(String op) {
        return changes.labelValues(op).get();
    }
}
