package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads {@code admin:}; a TCP listener off loopback or without a token is refused here, not at bind time. */
final class AdminReader {
    static final List<String> KEYS = List.of("socket", "listen", "token_file", "allow_remote");
    private static final String OFF = "off";

    private final Problems problems;

    AdminReader(Problems problems) {
        this.problems = problems;
    }

    /** The admin settings, or empty when invalid (reported). */
    Optional<AdminConfig> read(Optional<JsonNode> node, String path) {
        if (node.isEmpty()) {
            return Optional.of(AdminConfig.DEFAULT);
        }
        Optional<YamlMapping> open = YamlMapping.open(node.get(), path, problems, KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<Optional<Path>> socket = m.value("socket").isEmpty()
                ? Optional.of(Optional.of(AdminConfig.DEFAULT_SOCKET))
                : m.parsed("socket", true, text -> text.equals(OFF) ? Optional.<Path>empty()
                        : Optional.of(ConfigReader.absolutePath(text)));
        Optional<Optional<InetSocketAddress>> listen = m.value("listen").isEmpty() ? Optional.of(Optional.empty())
                : m.parsed("listen", true, ConfigReader::listenAddress);
        Optional<Path> tokenFile = m.parsed("token_file", false, ConfigReader::absolutePath);
        Optional<Boolean> allowRemote = m.bool("allow_remote", false);
        if (socket.isEmpty() || listen.isEmpty() || allowRemote.isEmpty()
                || tokenFile.isPresent() != m.value("token_file").isPresent()) {
            return Optional.empty();
        }
        boolean valid = true;
        if (listen.get().isPresent()) {
            InetSocketAddress address = listen.get().get();
            if (tokenFile.isEmpty()) {
                problems.add(m.field("token_file"), "required when admin.listen is set: the TCP listener never runs"
                        + " without a bearer token");
                valid = false;
            }
            if (!address.getAddress().isLoopbackAddress() && !allowRemote.get()) {
                problems.add(m.field("listen"), address.getAddress().getHostAddress() + " is not a loopback address;"
                        + " set admin.allow_remote: true to expose the admin API off this host on purpose");
                valid = false;
            }
        }
        return valid ? Optional.of(new AdminConfig(socket.get(), listen.get(), tokenFile, allowRemote.get()))
                : Optional.empty();
    }
}
