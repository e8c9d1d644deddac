package io.sluice.health;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a check probes: a backend address and the port the check connects to (which may differ from
 * the port that serves traffic). The address is already resolved so that no check ever waits on DNS.
 */
public record Target(InetAddress address, int port) {
    private static final int MAX_PORT = 65_535;

    public Target {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Target of(InetAddress address, int port) {
        return new Target(address, port);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
