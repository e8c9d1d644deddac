package io.sluice.lb.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Root detection, test BPF objects compiled from lb/src/test/bpf, scratch pin directories, commands. */
public final class BpfTestSupport {

    private static final Path BPFFS = Path.of("/sys/fs/bpf");
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private BpfTestSupport() {}

    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Compiles lb/src/test/bpf/{@code name}.c with clang into {@code outDir}; returns the object. */
    public static Path compileTestObject(String name, Path outDir) {
        Path source = testBpfSources().resolve(name + ".c");
        Path object = outDir.resolve(name + ".o");
        run(List.of("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                "-c", source.toString(), "-o", object.toString()));
        return object;
    }

    static Path testBpfSources() {
        String basedir = System.getProperty("basedir");
        List<Path> candidates = basedir != null
                ? List.of(Path.of(basedir, "src/test/bpf"))
                : List.of(Path.of("src/test/bpf"), Path.of("lb/src/test/bpf"));
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test BPF sources not found in " + candidates);
    }

    /** A fresh directory on the host's bpffs, unique to this JVM and call. */
    public static Path newPinDir(String label) {
        try {
            if (!isBpffsMounted()) {
                run(List.of("mount", "-t", "bpf", "bpf", BPFFS.toString()));
            }
            return Files.createTempDirectory(BPFFS, "sluice-bindtest-" + label + "-" + ProcessHandle.current().pid()
                    + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isBpffsMounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(line -> line.split(" ")[1].equals(BPFFS.toString()) && line.split(" ")[2].equals("bpf"));
    }

    /** Removes a pin directory and everything pinned in it. */
    public static void removePinDir(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, bounded in time; its combined output, or an exception with it if it fails. */
    public static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
