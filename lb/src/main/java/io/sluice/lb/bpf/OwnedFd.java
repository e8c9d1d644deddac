package io.sluice.lb.bpf;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file descriptor one object owns and closes once. Use after close is a BpfException (EBADF)
 * instead of a call on a number the kernel may have handed to someone else.
 */
final class OwnedFd {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    OwnedFd(int fd) {
        this.fd = fd;
    }

    /** The fd, or a BpfException saying what was attempted on which closed object. */
    int live(String what, String which) {
        if (closed.get()) {
            throw new BpfException(what, which + " after close", Errors.EBADF);
        }
        return fd;
    }

    /** Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            Native.closeFd(fd);
        }
    }
}
