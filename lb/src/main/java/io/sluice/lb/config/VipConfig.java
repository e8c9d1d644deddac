package io.sluice.lb.config;

import io.sluice.lb.dataplane.Protocol;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/** A virtual service: {address, port, protocol}, its Maglev table size and its backends. */
public record VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                        List<BackendConfig> backends) {
    public VipConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        backends = List.copyOf(backends);
    }
}
