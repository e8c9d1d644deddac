package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The last good shared document on disk ({@code consul.kv.cache_file}), so a daemon restarted
 * while Consul is unreachable still serves the fleet's config. Written atomically (temp file in
 * the same directory, fsync, rename, fsync of the directory): a crash leaves the old copy or the
 * new one. Read back as untrusted input: the caller validates the text exactly like an answer
 * from Consul, and a copy for another key is ignored.
 */
final class KvCache {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** JSON escaping can at most double plain text, plus a little metadata. */
    private static final int OVERHEAD = 4096;

    private final Path file;

    KvCache(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    void write(SharedDocument document) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("key", document.key())
                .put("modify_index", document.modifyIndex()).put("document", document.text());
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".consul-kv-", ".json");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The cached document for this key (empty when there is none, or it is for another key), or a refusal. */
    Optional<KvUpdate> read(String key, int maxDocumentBytes) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > 2L * maxDocumentBytes + OVERHEAD) {
                throw new IOException("larger than max_document_bytes allows");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject() || !root.path("document").isTextual()
                || !root.path("modify_index").canConvertToLong()) {
            throw new IOException("not a cached KV document");
        }
        if (!key.equals(root.path("key").asText())) {
            return Optional.empty(); // another prefix: not this fleet's config
        }
        return Optional.of(KvDocuments.document(key, root.get("modify_index").asLong(),
                root.get("document").asText().getBytes(StandardCharsets.UTF_8), maxDocumentBytes,
                SharedDocument.FROM_CACHE, 0));
    }
}
