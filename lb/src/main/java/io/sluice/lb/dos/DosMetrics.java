package io.sluice.lb.dos;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/** The DoS stage's own Prometheus instruments (drops per reason are in sluice_packets{reason}). */
final class DosMetrics {
    private final Counter blocks;
    private final Counter unblocks;

    DosMetrics(PrometheusRegistry registry, IntSupplier activeBlocks, IntSupplier denyEntries) {
        blocks = Counter.builder().name("sluice_dos_blocks_total")
                .help("Sources put on the deny list at run time, by origin (auto = mitigation, manual = operator).")
                .labelNames("origin").register(registry);
        unblocks = Counter.builder().name("sluice_dos_unblocks_total")
                .help("Run-time blocks lifted, by origin and reason (expired, removed).")
                .labelNames("origin", "reason").register(registry);
        GaugeWithCallback.builder().name("sluice_dos_blocks_active").help("Run-time blocks in force.")
                .callback(cb -> cb.call(activeBlocks.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("sluice_dos_deny_entries")
                .help("Entries of the deny lists in force (config and blocks, both families).")
                .callback(cb -> cb.call(denyEntries.getAsInt())).register(registry);
    }

    void blocked(Block block) {
        blocks.labelValues(block.origin().label()).inc();
    }

    void unblocked(Block block, String reason) {
        unblocks.labelValues(block.origin().label(), reason).inc();
    }
}
