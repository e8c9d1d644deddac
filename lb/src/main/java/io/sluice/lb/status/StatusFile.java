package io.sluice.lb.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Reads and writes the status file. Writes are atomic (temp file + rename): readers never see half. */
public final class StatusFile {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private StatusFile() {
    }

    public static void write(Path file, DaemonStatus status) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".status-", ".json");
            try {
                JSON.writeValue(tmp.toFile(), status);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing status file " + file, e);
        }
    }

    /** The status; NoSuchFileException when the daemon has not written one. */
    public static DaemonStatus read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return JSON.readValue(in, DaemonStatus.class);
        }
    }

    public static String toJson(DaemonStatus status) {
        try {
            return JSON.writeValueAsString(status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
