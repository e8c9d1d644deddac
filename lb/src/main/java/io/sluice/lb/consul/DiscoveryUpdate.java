package io.sluice.lb.consul;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import java.util.List;

/**
 * What a watch tells the daemon: the VIP's discovered backends changed to this set. The daemon
 * applies it on its own thread as one reconcile, if the VIP still asks for that service.
 */
public record DiscoveryUpdate(String vip, ConsulDiscovery discovery, List<BackendConfig> backends, long index) {
    public DiscoveryUpdate {
        backends = List.copyOf(backends);
    }
}
