package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.config.IpLiteral;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.net.AddressText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last discovered backend set of every VIP, kept in a file ({@code consul.cache_file}). A
 * restarted daemon starts from it, so a restart while Consul is unreachable keeps the last known
 * backends instead of emptying the VIP's table; the first answer from Consul replaces it. Read
 * back as untrusted input: a bad entry is skipped.
 */
public final class DiscoveryCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public DiscoveryCache(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Map<String, DiscoveryUpdate> latest) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        latest.forEach((vip, u) -> {
            ObjectNode v = root.putObject(vip).put("service", u.discovery().service()).put("index", u.index());
            u.discovery().tag().ifPresent(t -> v.put("tag", t));
            var list = v.putArray("backends");
            u.backends().forEach(b -> list.addObject().put("address", AddressText.of(b.address()))
                    .put("drain", b.drain()));
        });
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".consul-", ".json");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The remembered sets of VIPs that still discover the same service and tag. */
    public List<DiscoveryUpdate> read(SluiceConfig config) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<DiscoveryUpdate> out = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return out;
        }
        for (VipConfig vip : config.vips()) {
            JsonNode v = root.get(vip.name());
            if (vip.discovery().isEmpty() || v == null || !v.isObject()) {
                continue;
            }
            ConsulDiscovery d = vip.discovery().get();
            Optional<String> tag = v.path("tag").isTextual() ? Optional.of(v.get("tag").asText()) : Optional.empty();
            if (!v.path("service").asText().equals(d.service()) || !tag.equals(d.tag())) {
                continue;
            }
            List<BackendConfig> backends = new ArrayList<>();
            for (JsonNode b : v.path("backends")) {
                try {
                    backends.add(new BackendConfig(IpLiteral.parse(b.path("address").asText()), d.weight(),
                            d.healthCheck(), b.path("drain").asBoolean(false)));
                } catch (IllegalArgumentException e) {
                    // a damaged entry: leave it out
                }
            }
            out.add(new DiscoveryUpdate(vip.name(), d, backends.stream().limit(d.maxBackends()).toList(), 0,
                    v.path("index").asLong(0)));
        }
        return out;
    }
}
