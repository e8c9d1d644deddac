package io.sluice.lb.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Finds the compiled XDP objects: in the directory named by the system property
 * {@value #DIRECTORY_PROPERTY} when set (tests, development), else inside the jar
 * under {@code bpf/}, extracted to a private temp file removed at exit. Either way the
 * daemon loads the object it was built with.
 */
public final class BpfObjectFiles {

    public static final String DIRECTORY_PROPERTY = "sluice.bpf.dir";
    private static final String RESOURCE_DIRECTORY = "/bpf/";

    private BpfObjectFiles() {}

    public static Path balancer() {
        return locate(DataplaneAbi.OBJECT_BALANCER);
    }

    public static Path decap() {
        return locate(DataplaneAbi.OBJECT_DECAP);
    }

    /** Path of the object {@code fileName}; IllegalStateException naming where it looked if absent. */
    public static Path locate(String fileName) {
        String directory = System.getProperty(DIRECTORY_PROPERTY);
        if (directory != null && !directory.isBlank()) {
            Path file = Path.of(directory).resolve(fileName);
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("BPF object " + file + " not found (" + DIRECTORY_PROPERTY + "="
                        + directory + ")");
            }
            return file;
        }
        return extractResource(fileName);
    }

    private static Path extractResource(String fileName) {
        String resource = RESOURCE_DIRECTORY + fileName;
        try (InputStream in = BpfObjectFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("BPF object " + resource + " is not on the classpath and "
                        + DIRECTORY_PROPERTY + " is not set");
            }
            Path file = Files.createTempFile("sluice-", "-" + fileName,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + resource, e);
        }
    }
}
