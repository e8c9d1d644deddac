package io.sluice.lb.config;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code backends: {consul: {...}}}: the VIP takes its backends from the healthy instances of a
 * Consul service.
 *
 * @param tag         only instances carrying this tag; empty = all
 * @param weight      every discovered backend's weight
 * @param maxBackends more instances than this are refused (the extra ones, logged), bounding the
 *                    data-plane slots one service can take
 * @param healthCheck the VIP's own health_check, which applies to discovered backends too
 */
public record ConsulDiscovery(String service, Optional<String> tag, int weight, int maxBackends,
                              Optional<HealthCheckConfig> healthCheck) {
    public ConsulDiscovery {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(healthCheck, "healthCheck");
    }
}
