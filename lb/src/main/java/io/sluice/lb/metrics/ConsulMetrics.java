package io.sluice.lb.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What sluiced counts about Consul: failed calls, refused answers and entries, the TTL checks' state. */
public final class ConsulMetrics {
    private final Counter callErrors;
    private final Counter answersRefused;
    private final Counter entriesRejected;
    private final Counter discoveryApplied;
    private final Gauge ttlPassing;

    public ConsulMetrics(PrometheusRegistry registry) {
        callErrors = Counter.builder().name("sluice_consul_call_errors")
                .help("Calls to the Consul agent that failed (unreachable, error status, answer too large), by call.")
                .labelNames("op").register(registry);
        answersRefused = Counter.builder().name("sluice_consul_answers_refused")
                .help("Discovery answers refused whole (not a JSON list); the last known backends stayed.")
                .labelNames("vip").register(registry);
        entriesRejected = Counter.builder().name("sluice_consul_entries_rejected")
                .help("Discovered service entries rejected as malformed or hostile (never applied).")
                .labelNames("vip").register(registry);
        discoveryApplied = Counter.builder().name("sluice_consul_discovery_updates")
                .help("Changes of a VIP's discovered backend set applied by a reconcile.")
                .labelNames("vip").register(registry);
        ttlPassing = Gauge.builder().name("sluice_consul_ttl_passing")
                .help("1 while the VIP's Consul TTL check was last set passing, 0 when set critical.")
                .labelNames("vip").register(registry);
    }

    public void callFailed(String op) {
        callErrors.labelValues(op).inc();
    }

    public void answerRefused(String vip) {
        answersRefused.labelValues(vip).inc();
    }

    public void entryRejected(String vip) {
        entriesRejected.labelValues(vip).inc();
    }

    public void discoveryApplied(String vip) {
        discoveryApplied.labelValues(vip).inc();
    }

    public void ttlState(String vip, boolean passing) {
        ttlPassing.labelValues(vip).set(passing ? 1 : 0);
    }

    public double callErrors(String op) {
        return callErrors.labelValues(op).get();
    }

    public double entriesRejected(String vip) {
        return entriesRejected.labelValues(vip).get();
    }

    public double answersRefused(String vip) {
        return answersRefused.labelValues(vip).get();
    }
}
