package io.sluice.lb.bgp;

import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * A TUN device held open by this process. Without {@code persist} the kernel deletes it, and every
 * route through it, the moment the last descriptor closes: when sluiced exits, crashes or is killed.
 * That is what ties the VIP announcements to the daemon's life (docs/bgp.md). No packet is ever
 * read or written: the device only carries routes.
 */
public final class TunDevice implements AutoCloseable {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    /** _IOW('T', 202, int) and _IOW('T', 203, int) from linux/if_tun.h. */
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETPERSIST = 0x400454cbL;
    private static final int IFNAMSIZ = 16;
    /** struct ifreq: the name, then a union whose first member (ifr_flags) is a short; 40 bytes on 64-bit. */
    private static final int IFREQ_SIZE = 40;

    /** Public for jnr-ffi's generated implementation. */
    public interface Libc {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int ioctl(int fd, long request, byte[] argument);

        @SaveError
        int ioctl(int fd, long request, long argument);

        int close(int fd);
    }

    private static final class Holder {
        static final Libc LIBC = LibraryLoader.create(Libc.class).load("c");
    }

    private final String name;
    private int fd;

    private TunDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Creates the device, or attaches to the persistent one a previous daemon left. {@code persist}
     * decides whether it outlives this process (bgp.on_crash: keep) or not (withdraw).
     */
    public static TunDevice open(String name, boolean persist) {
        byte[] encoded = name.getBytes(StandardCharsets.US_ASCII);
        if (encoded.length == 0 || encoded.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("device name must be 1.." + (IFNAMSIZ - 1) + " characters: " + name);
        }
        Libc libc = Holder.LIBC;
        int fd = libc.open(CLONE_DEVICE, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            throw failure("open " + CLONE_DEVICE);
        }
        byte[] ifreq = new byte[IFREQ_SIZE];
        System.arraycopy(encoded, 0, ifreq, 0, encoded.length);
        short flags = IFF_TUN | IFF_NO_PI;
        ifreq[IFNAMSIZ] = (byte) (flags & 0xff); // little-endian short: x86_64 and arm64
        ifreq[IFNAMSIZ + 1] = (byte) ((flags >> 8) & 0xff);
        if (libc.ioctl(fd, TUNSETIFF, ifreq) < 0) {
            IllegalStateException e = failure("TUNSETIFF " + name);
            libc.close(fd);
            throw e;
        }
        if (libc.ioctl(fd, TUNSETPERSIST, persist ? 1L : 0L) < 0) {
            IllegalStateException e = failure("TUNSETPERSIST " + name);
            libc.close(fd);
            throw e;
        }
        return new TunDevice(name, fd);
    }

    public String name() {
        return name;
    }

    /**
     * A clean stop: the device (and its routes) go even when persistent, so nothing stays announced.
     */
    public void remove() {
        if (fd >= 0) {
            Holder.LIBC.ioctl(fd, TUNSETPERSIST, 0L);
        }
        close();
    }

    /** Closes the descriptor: a non-persistent device disappears with it. */
    @Override
    public void close() {
        if (fd >= 0) {
            Holder.LIBC.close(fd);
            fd = -1;
        }
    }

    private static IllegalStateException failure(String what) {
        int errno = Runtime.getRuntime(Holder.LIBC).getLastError();
        String hint = errno == 1 ? " (needs CAP_NET_ADMIN)" : errno == 2 ? " (no tun driver?)" : "";
        return new IllegalStateException(what + " failed: errno " + errno + hint);
    }
}
