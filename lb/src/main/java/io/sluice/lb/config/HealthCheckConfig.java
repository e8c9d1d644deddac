package io.sluice.lb.config;

import io.sluice.health.check.CheckSpec;
import java.util.Objects;

/**
 * The health check of one backend of a VIP, fully resolved: the VIP's `health_check` with the
 * backend's own `health_check` keys laid over it.
 *
 * @param spec what to probe and how often
 * @param port the port the check connects to (the VIP's port unless the config says otherwise)
 */
public record HealthCheckConfig(CheckSpec spec, int port) {
    public HealthCheckConfig {
        Objects.requireNonNull(spec, "spec");
    }
}
