package io.sluice.lb.config;

import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A virtual service: {address, port, protocol}, its Maglev table size and its backends.
 *
 * @param whenAllDown what the VIP does when every checked backend is DOWN
 * @param slowStart   time over which a backend that comes UP ramps from a small weight to its own
 *                    (zero = at once)
 * @param drain       when a draining backend counts as DRAINED (quiet period, timeout)
 */
public record VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                        List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart,
                        DrainSettings drain) {
    public VipConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(whenAllDown, "whenAllDown");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(drain, "drain");
        backends = List.copyOf(backends);
    }

    /** The VIP's key in the data plane's `vips` map. */
    public VipKey key() {
        return new VipKey(address, port, protocol);
    }

    /** A VIP with the default drain settings. */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends, AllDownPolicy whenAllDown, Duration slowStart) {
        this(name, address, port, protocol, tableSize, backends, whenAllDown, slowStart, DrainSettings.DEFAULTS);
    }

    /** A VIP without health checks' settings (fail-open, no slow start). */
    public VipConfig(String name, InetAddress address, int port, Protocol protocol, int tableSize,
                     List<BackendConfig> backends) {
        this(name, address, port, protocol, tableSize, backends, AllDownPolicy.FAIL_OPEN, Duration.ZERO);
    }
}
