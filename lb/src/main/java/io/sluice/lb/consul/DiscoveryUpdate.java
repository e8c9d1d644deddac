package io.sluice.lb.consul;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import java.util.List;

/**
 * What a watch tells the daemon: the VIP's discovered backends changed to this set. The daemon
 * applies it on its own thread as one reconcile, if the VIP still asks for that service.
 *
 * @param failing instances Consul lists that are not backends because a check is not passing
 */
public record DiscoveryUpdate(String vip, ConsulDiscovery discovery, List<BackendConfig> backends, int failing,
                              long index) {
    public DiscoveryUpdate {
        backends = List.copyOf(backends);
    }

    /** Consul lists instances for the service, but none of them passes. */
    public boolean allFailing() {
        return backends.isEmpty() && failing > 0;
    }
}
