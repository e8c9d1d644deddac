package io.sluice.lb.config;

import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual service: {address, port, protocol}, its Maglev table size and its backends.
 *
 * @param whenAllDown what the VIP does when every checked backend is DOWN
 * @param slowStart   time over which a backend that comes UP ramps from a small weight to its own
 *                    (zero = at once)
 * @param consul      register the VIP in Consul as an instance of this service (empty = not registered)
 * @param discovery   take the backends from a Consul service; {@code backends} then holds the last
 *                    discovered set (empty until the first answer)
 * @param dos         the VIP's own DoS settings (new-flow ceiling, fragments, reflection ports)
 * @param drain       when a draining backend counts as DRAINED (quiet period, timeout)
 */
public record VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                        List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart,
                        Optional<ConsulRegistration> consul, Optional<ConsulDiscovery> discovery,
                        VipDosConfig dos, DrainSettings drain) {
    public VipConfig {
        Objects.requireNonNull(consul, "consul");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(dos, "dos");
        Objects.requireNonNull(drain, "drain");
        backends = List.copyOf(backends);
    }

    /** A VIP that Consul neither registers nor feeds, with its own DoS settings. */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart, VipDosConfig dos) {
        this(name, address, port, protocol, tableSize, backends, whenAllDown, slowStart, Optional.empty(),
                Optional.empty(), dos, DrainSettings.DEFAULTS);
    }

    /** The VIP's key in the data plane's `vips` map. */
    public VipKey key() {
        return new VipKey(address, port, protocol);
    }

    /** A VIP that Consul neither registers nor feeds, with the default DoS and drain settings. */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart) {
        this(name, address, port, protocol, tableSize, backends, whenAllDown, slowStart, VipDosConfig.DEFAULT);
    }

    /** A VIP that Consul neither registers nor feeds, with its own drain settings. */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart,
                     DrainSettings drain) {
        this(name, address, port, protocol, tableSize, backends, whenAllDown, slowStart, Optional.empty(),
                Optional.empty(), VipDosConfig.DEFAULT, drain);
    }

    /** The same VIP with another backend set (discovered backends are laid in here). */
    public VipConfig withBackends(List<BackendConfig> newBackends) {
        return new VipConfig(name, address, port, protocol, tableSize, newBackends, whenAllDown, slowStart, consul,
                discovery, dos, drain);
    }

    /** A VIP without health checks' settings (fail-open, no slow start). */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends) {
        this(name, address, port, protocol, tableSize, backends, AllDownPolicy.FAIL_OPEN, Duration.ZERO,
                VipDosConfig.DEFAULT);
    }
}
