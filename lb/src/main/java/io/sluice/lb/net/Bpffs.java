package io.sluice.lb.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes sure a BPF filesystem is mounted where the daemon pins its objects. */
public final class Bpffs {
    public static final Path DEFAULT_MOUNT = Path.of("/sys/fs/bpf");

    private Bpffs() {
    }

    public static boolean isMounted(Path mountPoint) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(f -> f.length > 2 && f[1].equals(mountPoint.toString()) && f[2].equals("bpf"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mounts", e);
        }
    }

    /** Mounts bpffs at the mount point unless one is there already. Returns true if it mounted. */
    public static boolean ensureMounted(Path mountPoint) {
        if (isMounted(mountPoint)) {
            return false;
        }
        try {
            Files.createDirectories(mountPoint);
            Process p = new ProcessBuilder("mount", "-t", "bpf", "bpf", mountPoint.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("mounting bpffs at " + mountPoint + " failed: " + out.trim());
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("mounting bpffs at " + mountPoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted mounting bpffs", e);
        }
    }
}
