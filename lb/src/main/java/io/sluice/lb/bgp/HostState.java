package io.sluice.lb.bgp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The operator's drain of the whole LB host, kept in a small JSON file so that a restart (or a
 * crash) never announces a host the operator took out.
 *
 * @param drained whether the host is drained
 * @param since   when it was last drained or undrained; empty when never
 */
public record HostState(boolean drained, Optional<Instant> since) {
    public static final HostState SERVING = new HostState(false, Optional.empty());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a load found: the state, and a problem when the file could not be used. */
    public record Loaded(HostState state, Optional<String> problem) {
    }

    /**
     * Reads the file. Missing = serving. Unreadable or malformed = drained, with the reason: an
     * operator's drain must not be lost to a damaged file (undrain rewrites it).
     */
    public static Loaded load(Path file) {
        try {
            JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (node == null || !node.isObject() || !node.path("drained").isBoolean()) {
                return new Loaded(new HostState(true, Optional.empty()),
                        Optional.of(file + ": not a JSON object with a boolean \"drained\""));
            }
            Optional<Instant> since = Optional.empty();
            if (node.path("since").isTextual()) {
                try {
                    since = Optional.of(Instant.parse(node.path("since").asText()));
                } catch (RuntimeException e) {
                    since = Optional.empty();
                }
            }
            return new Loaded(new HostState(node.path("drained").asBoolean(), since), Optional.empty());
        } catch (NoSuchFileException e) {
            return new Loaded(SERVING, Optional.empty());
        } catch (IOException | RuntimeException e) {
            return new Loaded(new HostState(true, Optional.empty()), Optional.of(file + ": " + e.getMessage()));
        }
    }

    /** Writes the file atomically (temp file + rename), creating its directory. */
    public void save(Path file) throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("drained", drained);
        since.ifPresent(s -> node.put("since", s.toString()));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
