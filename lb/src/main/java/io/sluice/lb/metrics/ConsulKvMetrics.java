package io.sluice.lb.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What sluiced counts about the fleet's shared config in Consul KV. */
public final class ConsulKvMetrics {
    private final Counter rejected;
    private final Counter applied;
    private final Gauge modifyIndex;

    public ConsulKvMetrics(PrometheusRegistry registry) {
        rejected = Counter.builder().name("sluice_consul_kv_documents_rejected")
                .help("Shared config documents rejected whole (the last good one stayed), by reason: missing, "
                        + "too_large, not_utf8, malformed_answer, yaml, schema.")
                .labelNames("reason").register(registry);
        applied = Counter.builder().name("sluice_consul_kv_documents_applied")
                .help("Shared config documents taken into force (from Consul or, at startup, from the cache).")
                .register(registry);
        modifyIndex = Gauge.builder().name("sluice_consul_kv_modify_index")
                .help("The KV ModifyIndex of the shared config document in force (0 before the first one).")
                .register(registry);
    }

    public void rejected(String reason) {
        rejected.labelValues(reason).inc();
    }

    public void applied(long index) {
        applied.inc();
        modifyIndex.set(index);
    }

    public double rejectedCount(String reason) {
        return rejected.labelValues(reason).get();
    }

    public double appliedCount() {
        return applied.get();
    }
}
