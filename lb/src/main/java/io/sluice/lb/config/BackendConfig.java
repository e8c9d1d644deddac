package io.sluice.lb.config;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend of a VIP; its address family decides the encapsulation. Weight 0 = no new flows.
 *
 * @param drain       the operator takes this backend out gracefully: no new flows, established
 *                    flows stay (YAML {@code drain: true}; the admin API and CLI set the same key)
 * @param healthCheck the backend's effective check (its VIP's, with its own keys laid over);
 *                    empty = not checked, always considered UP
 */
public record BackendConfig(InetAddress address, int weight, Optional<HealthCheckConfig> healthCheck,
                            boolean drain) {
    public BackendConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(healthCheck, "healthCheck");
    }

    /** A backend in service (not draining). */
    public BackendConfig(InetAddress address, int weight, Optional<HealthCheckConfig> healthCheck) {
        this(address, weight, healthCheck, false);
    }

    /** An unchecked backend in service. */
    public BackendConfig(InetAddress address, int weight) {
        this(address, weight, Optional.empty(), false);
    }
}
