package io.sluice.lb.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** The few libc functions the binding needs. */
final class LibC {

    private LibC() {}

    /** Public for jnr-ffi's generated implementation; see {@link LibBpf}. */
    public interface Api {
        int close(int fd);

        /** MAP_FAILED ((void *) -1) on error, errno saved for {@link jnr.ffi.LastError}. */
        @SaveError
        Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

        @SaveError
        int munmap(Pointer addr, long length);

        /** struct timespec *: two longs (seconds, nanoseconds) on the 64-bit targets the daemon runs on. */
        int clock_gettime(int clockId, Pointer timespec);

        int clock_getres(int clockId, Pointer timespec);

        /** Formats libbpf's log callback arguments; va_list arrives as a pointer on x86_64 and arm64. */
        int vsnprintf(Pointer buffer, long size, Pointer format, Pointer vaList);
    }
}
