package io.sluice.lb.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads interface facts from sysfs, in the network namespace the daemon runs in. */
public final class NetworkInterfaces {
    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private NetworkInterfaces() {
    }

    /** The kernel's ifindex of the named interface, or an exception naming the interface. */
    public static int ifindex(String name) {
        Path file = SYS_CLASS_NET.resolve(name).resolve("ifindex");
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("interface " + name + " does not exist in this network namespace");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** The interface's MTU as the kernel reports it. */
    public static int mtu(String name) {
        Path file = SYS_CLASS_NET.resolve(name).resolve("mtu");
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
