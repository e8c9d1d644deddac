package io.sluice.lb.config;

import java.net.InetAddress;
import java.util.Objects;

/** One backend of a VIP; its address family decides the encapsulation. Weight 0 = no new flows. */
public record BackendConfig(InetAddress address, int weight) {
    public BackendConfig {
        Objects.requireNonNull(address, "address");
    }
}
