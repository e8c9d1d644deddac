package io.sluice.lb.consul;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the ACL token from its file. The token is a secret: a file that anyone on the host may
 * read or change is refused (like ssh refuses a world-readable key), and the token never goes
 * into a log line.
 */
public final class TokenFile {
    private static final int MAX_BYTES = 1024;
    /** Consul tokens are UUIDs; accept any printable, space-free secret. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,512}");

    private TokenFile() {
    }

    public static Optional<String> read(Optional<Path> file) throws IOException {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Path path = file.get();
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || perms.contains(PosixFilePermission.GROUP_WRITE)) {
            throw new IOException("consul.token_file " + path + " is readable or writable by others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(perms)
                    + "): chmod 0600 or 0640 (root:sluice)");
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path)) {
            throw new IOException("consul.token_file " + path + " is not a regular file");
        }
        if (Files.size(path) > MAX_BYTES) {
            throw new IOException("consul.token_file " + path + " is larger than " + MAX_BYTES + " bytes");
        }
        String token = new String(Files.readAllBytes(path), StandardCharsets.UTF_8).strip();
        if (!TOKEN.matcher(token).matches()) {
            throw new IOException("consul.token_file " + path + " does not hold one token (printable, no spaces)");
        }
        return Optional.of(token);
    }
}
