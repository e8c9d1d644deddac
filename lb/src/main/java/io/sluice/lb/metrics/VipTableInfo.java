package io.sluice.lb.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.util.function.Supplier;

/**
 * {@code sluice_vip_table_info{vip, fingerprint} 1}: each VIP's table fingerprint, so a dashboard
 * can count the distinct fingerprints of a VIP across the fleet
 * ({@code count by (vip) (count by (vip, fingerprint) (sluice_vip_table_info)) > 1}).
 *
 * <p>An info metric built from the latest status at scrape time: the label set changes with the
 * table, and a scrape must never show a VIP with its old and its new fingerprint at once.
 */
final class VipTableInfo implements Collector {
    static final String NAME = "sluice_vip_table";

    private final Supplier<DaemonStatus> latest;

    private VipTableInfo(Supplier<DaemonStatus> latest) {
        this.latest = latest;
    }

    static void register(PrometheusRegistry registry, Supplier<DaemonStatus> latest) {
        registry.register(new VipTableInfo(latest));
    }

    @Override
    public InfoSnapshot collect() {
        InfoSnapshot.Builder b = InfoSnapshot.builder().name(NAME)
                .help("The fingerprint of the VIP's table in the data plane (equal on hosts that forward alike).");
        DaemonStatus s = latest.get();
        if (s != null) {
            for (VipStatus vip : s.vips()) {
                if (vip.tableFingerprint() != null) {
                    b.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                            .labels(Labels.of("vip", vip.name(), "fingerprint", vip.tableFingerprint())).build());
                }
            }
        }
        return b.build();
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
