package io.sluice.lb.bpf;

import jnr.ffi.Pointer;

/** The few libc functions the binding needs. */
final class LibC {

    private LibC() {}

    /** Public for jnr-ffi's generated implementation; see {@link LibBpf}. */
    public interface Api {
        int close(int fd);

        /** Formats libbpf's log callback arguments; va_list arrives as a pointer on x86_64 and arm64. */
        int vsnprintf(Pointer buffer, long size, Pointer format, Pointer vaList);
    }
}
