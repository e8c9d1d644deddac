package io.sluice.lb.dos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.dataplane.LpmPrefix;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The temporary manual blocks (admin API / CLI with a TTL), kept in a small JSON file
 * ({@code dos.blocks_file}) so a daemon restart puts them back with the time they have left.
 * Written whole and renamed into place; read back as untrusted input: a damaged entry is skipped.
 * Automatic blocks are not kept: a source still flooding after a restart is blocked again.
 */
public final class BlocksFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private final Path file;

    public BlocksFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Collection<Block> blocks) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT);
        ArrayNode list = root.putArray("blocks");
        blocks.stream().filter(b -> b.origin() == Block.Origin.MANUAL)
                .sorted((a, b) -> a.prefix().toString().compareTo(b.prefix().toString()))
                .forEach(b -> {
                    ObjectNode entry = list.addObject().put("prefix", b.prefix().toString()).put("reason", b.reason())
                            .put("blocked_at", b.blockedAt().toString());
                    b.expiresAt().ifPresent(e -> entry.put("expires_at", e.toString()));
                });
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".dos-blocks-", ".json");
        try {
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The kept blocks, expired ones included (the caller knows the time); none when there is no file. */
    public List<Block> read() throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Block> out = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return out;
        }
        for (JsonNode entry : root.path("blocks")) {
            parse(entry).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Block> parse(JsonNode entry) {
        try {
            Cidr cidr = Cidr.parse(entry.path("prefix").asText());
            Optional<Instant> expires = entry.path("expires_at").isTextual()
                    ? Optional.of(Instant.parse(entry.get("expires_at").asText())) : Optional.empty();
            return Optional.of(new Block(new LpmPrefix(cidr.network(), cidr.prefixLength()), Block.Origin.MANUAL,
                    entry.path("reason").asText("manual"), Instant.parse(entry.path("blocked_at").asText()), expires));
        } catch (RuntimeException e) {
            return Optional.empty(); // a damaged entry: leave it out
        }
    }
}
