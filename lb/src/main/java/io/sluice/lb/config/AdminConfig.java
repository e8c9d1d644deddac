package io.sluice.lb.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the admin API listens (YAML {@code admin:}).
 *
 * @param socket          the Unix socket; empty = off
 * @param listen          an optional TCP address (loopback unless {@code allowRemote})
 * @param tokenFile       the bearer token TCP clients must send; required with {@code listen}
 * @param allowRemote     the operator's explicit consent to bind {@code listen} off loopback
 */
public record AdminConfig(Optional<Path> socket, Optional<InetSocketAddress> listen, Optional<Path> tokenFile,
                          boolean allowRemote) {
    public static final Path DEFAULT_SOCKET = Path.of("/run/sluice/admin.sock");
    public static final AdminConfig DEFAULT = new AdminConfig(Optional.of(DEFAULT_SOCKET), Optional.empty(),
            Optional.empty(), false);

    public AdminConfig {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }
}
