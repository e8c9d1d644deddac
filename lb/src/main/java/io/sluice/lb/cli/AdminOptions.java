package io.sluice.lb.cli;

import io.sluice.lb.admin.client.AdminClient;
import io.sluice.lb.config.AdminConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command reaches the daemon, and how it prints: shared by every admin-API command. */
final class AdminOptions {
    static final String SOCKET_ENV = "SLUICE_ADMIN_SOCKET";

    @Option(names = "--socket", paramLabel = "PATH",
            defaultValue = "${env:" + SOCKET_ENV + ":-" + "/run/sluice/admin.sock" + "}",
            description = "The daemon's admin socket (config admin.socket; env " + SOCKET_ENV
                    + "; default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--url", paramLabel = "URL",
            description = "Use the TCP listener instead (config admin.listen), e.g. http://127.0.0.1:9470.")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The bearer token for --url (config admin.token_file).")
    Path tokenFile;

    @Option(names = "--json", description = "Print the daemon's JSON answer, for scripts.")
    boolean json;

    AdminClient client() throws IOException {
        if (url == null) {
            return AdminClient.unixSocket(socket == null ? AdminConfig.DEFAULT_SOCKET : socket);
        }
        if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 0) {
            throw new IllegalArgumentException("--url must look like http://127.0.0.1:9470, got " + url);
        }
        Optional<String> token = Optional.empty();
        if (tokenFile != null) {
            token = Optional.of(Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
        }
        return AdminClient.tcp(new InetSocketAddress(url.getHost(), url.getPort()), token);
    }
}
