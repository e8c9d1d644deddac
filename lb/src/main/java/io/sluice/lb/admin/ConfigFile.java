package io.sluice.lb.admin;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Replaces the config file atomically: the new text goes to a temp file in the same directory
 * (same owner, group and mode as the file), is synced, the old file is kept as FILE.bak, and a
 * rename puts the new one in place. A crash leaves the old file or the new one, never a mix.
 */
public final class ConfigFile {
    public static final String BACKUP_SUFFIX = ".bak";

    private ConfigFile() {
    }

    public static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + BACKUP_SUFFIX);
    }

    public static void replace(Path file, String text) throws IOException {
        Path real = file.toRealPath(); // a symlinked config: replace its target, keep the link
        Path dir = real.getParent();
        PosixFileAttributes attrs = Files.readAttributes(real, PosixFileAttributes.class);
        Path tmp = Files.createTempFile(dir, "." + real.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(text));
                ch.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            view.setPermissions(attrs.permissions());
            try {
                view.setGroup(attrs.group());
                view.setOwner(attrs.owner());
            } catch (IOException e) {
                // Not root (tests, a lab run as a user): the file keeps our own owner; the mode still matches.
            }
            Files.copy(real, backupOf(real), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            Files.move(tmp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a power cut
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
