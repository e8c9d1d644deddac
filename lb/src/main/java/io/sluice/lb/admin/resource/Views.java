package io.sluice.lb.admin.resource;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.net.AddressText;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.CheckStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the API shows for VIPs and backends: the config in effect (what the operator set, so a
 * change is visible the moment it is applied) joined with the daemon's latest status (health,
 * effective weight, counters; refreshed every second).
 */
final class Views {
    /** Health of a backend the daemon has not reported on yet (just added). */
    static final String HEALTH_PENDING = "pending";

    /** @param tableFingerprint of the table in the data plane (docs/consul.md); null before the daemon reports */
    record VipView(String name, String address, int port, String protocol, int tableSize, String tableFingerprint,
                   String whenAllDown,
                   String slowStart, boolean allBackendsDown, long packets, long bytes, long newFlows,
                   List<BackendView> backends) {
    }

    /**
     * @param drain      as configured: the backend takes no new flows, established flows finish
     * @param drainState where the backend is: active, filling, draining or drained (docs/drain.md)
     */
    record BackendView(String vip, String address, int weight, int effectiveWeight, boolean inTable, boolean drain,
                       String drainState, String health, String healthSince, String check, CheckStatus lastCheck, long packets,
                       long bytes, long newFlows) {
    }

    private Views() {
    }

    static List<VipView> vips(SluiceConfig config, Optional<DaemonStatus> status) {
        return config.vips().stream().map(v -> vip(v, status)).toList();
    }

    static VipView vip(VipConfig vip, Optional<DaemonStatus> status) {
        Optional<VipStatus> vs = status.flatMap(s -> s.vips().stream().filter(v -> v.name().equals(vip.name())
                && v.address().equals(AddressText.of(vip.address())) && v.port() == vip.port()).findFirst());
        List<BackendView> backends = vip.backends().stream().map(b -> backend(vip.name(), b, vs)).toList();
        return new VipView(vip.name(), AddressText.of(vip.address()), vip.port(), lower(vip.protocol()),
                vip.tableSize(), vs.map(VipStatus::tableFingerprint).orElse(null), lower(vip.whenAllDown()),
                vip.slowStart().toMillis() + "ms",
                vs.map(VipStatus::allBackendsDown).orElse(false), vs.map(VipStatus::packets).orElse(0L),
                vs.map(VipStatus::bytes).orElse(0L), vs.map(VipStatus::newFlows).orElse(0L), backends);
    }

    static BackendView backend(String vipName, BackendConfig backend, Optional<VipStatus> vip) {
        String address = AddressText.of(backend.address());
        Optional<BackendStatus> bs = vip.flatMap(v -> v.backends().stream()
                .filter(b -> b.address().equals(address)).findFirst());
        return new BackendView(vipName, address, backend.weight(), bs.map(BackendStatus::effectiveWeight).orElse(0),
                bs.map(BackendStatus::inTable).orElse(false), backend.drain(),
                bs.map(BackendStatus::drainState).orElse(backend.drain() ? "draining" : "active"),
                bs.map(BackendStatus::health).orElse(HEALTH_PENDING), bs.map(BackendStatus::healthSince).orElse(null),
                bs.map(BackendStatus::check).orElse(null), bs.map(BackendStatus::lastCheck).orElse(null),
                bs.map(BackendStatus::packets).orElse(0L), bs.map(BackendStatus::bytes).orElse(0L),
                bs.map(BackendStatus::newFlows).orElse(0L));
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
