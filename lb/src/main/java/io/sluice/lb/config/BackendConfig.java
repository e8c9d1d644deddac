package io.sluice.lb.config;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend of a VIP; its address family decides the encapsulation. Weight 0 = no new flows.
 *
 * @param healthCheck the backend's effective check (its VIP's, with its own keys laid over);
 *                    empty = not checked, always considered UP
 */
public record BackendConfig(InetAddress address, int weight, Optional<HealthCheckConfig> healthCheck) {
    public BackendConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(healthCheck, "healthCheck");
    }

    /** An unchecked backend. */
    public BackendConfig(InetAddress address, int weight) {
        this(address, weight, Optional.empty());
    }
}
