package io.sluice.lb.consul;

import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The last backend set Consul gave each discovering VIP, laid into the file's config to make the
 * config the daemon runs on. Owned by the daemon's thread.
 *
 * <p>A VIP whose watch has not answered yet has no backends. An update for a VIP that no longer
 * discovers that service (a reload changed it) is stale and ignored. The VIP's current weight and
 * health_check apply to the discovered addresses, so a reload that changes only those needs no
 * new answer from Consul.
 *
 * <p>When Consul lists instances but none passes, a VIP with {@code when_all_down: fail_open}
 * keeps its last backends (a broken check rollout must not black-hole the edge), as it does when
 * its own health checks all fail; {@code fail_closed} applies the empty set.
 */
public final class DiscoveredBackends {
    private final Map<String, DiscoveryUpdate> latest = new HashMap<>();
    private final Set<String> allFailing = new HashSet<>();

    /** Records the update; false when it is stale or changes nothing (no reconcile needed). */
    public boolean accept(DiscoveryUpdate update, SluiceConfig file) {
        VipConfig vip = file.vips().stream().filter(v -> v.name().equals(update.vip())).findFirst().orElse(null);
        if (vip == null || vip.discovery().isEmpty() || !sameSource(vip.discovery().get(), update.discovery())) {
            return false;
        }
        DiscoveryUpdate previous = latest.get(update.vip());
        if (update.allFailing() && vip.whenAllDown() == AllDownPolicy.FAIL_OPEN && previous != null
                && !previous.backends().isEmpty()) {
            return allFailing.add(update.vip()); // keep the previous set; changed only if newly failing
        }
        boolean wasFailing = allFailing.remove(update.vip());
        latest.put(update.vip(), update);
        return wasFailing || previous == null || !previous.backends().equals(update.backends());
    }

    /** VIPs whose Consul instances all fail while fail_open keeps their last backends. */
    public Set<String> allFailing() {
        return Set.copyOf(allFailing);
    }

    /** Every VIP's last accepted update (for the cache file). */
    public Map<String, DiscoveryUpdate> latest() {
        return Map.copyOf(latest);
    }

    /** The file's config with every discovering VIP's backends filled in. */
    public SluiceConfig merge(SluiceConfig file) {
        Set<String> names = file.vips().stream().map(VipConfig::name).collect(Collectors.toSet());
        latest.keySet().retainAll(names);
        allFailing.retainAll(names);
        if (file.vips().stream().noneMatch(v -> v.discovery().isPresent())) {
            return file;
        }
        List<VipConfig> vips = new ArrayList<>();
        for (VipConfig vip : file.vips()) {
            vips.add(vip.discovery().map(d -> vip.withBackends(backends(vip.name(), d))).orElse(vip));
        }
        return file.withVips(vips);
    }

    private List<BackendConfig> backends(String vip, ConsulDiscovery discovery) {
        DiscoveryUpdate update = latest.get(vip);
        if (update == null || !sameSource(discovery, update.discovery())) {
            return List.of();
        }
        return update.backends().stream().limit(discovery.maxBackends())
                .map(b -> new BackendConfig(b.address(), discovery.weight(), discovery.healthCheck(), b.drain()))
                .toList();
    }

    /** The same service and tag: the discovered addresses still answer the VIP's question. */
    static boolean sameSource(ConsulDiscovery a, ConsulDiscovery b) {
        return a.service().equals(b.service()) && Objects.equals(a.tag(), b.tag());
    }
}
