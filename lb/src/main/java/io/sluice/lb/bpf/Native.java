package io.sluice.lb.bpf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libbpf and libc once, routes libbpf's log into {@link LibbpfLog} (and slf4j),
 * and offers the error-checking helpers every class of the binding uses.
 */
final class Native {

    private static final Logger LOG = LoggerFactory.getLogger("io.sluice.lb.bpf.libbpf");
    /** One formatted libbpf message; verifier logs beyond this are cut (the head is kept by vsnprintf). */
    private static final int FORMAT_BUFFER_BYTES = 1 << 20;

    private static final LibBpf.Api LIBBPF = LibraryLoader.create(LibBpf.Api.class)
            .library("libbpf.so.1")
            .library("bpf")
            .load();
    private static final LibC.Api LIBC = LibraryLoader.create(LibC.Api.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBBPF);
    private static final LibbpfLog RECENT = new LibbpfLog();
    private static final Pointer FORMAT_BUFFER = Memory.allocateDirect(RUNTIME, FORMAT_BUFFER_BYTES);
    // A strong reference: jnr must not collect the callback while libbpf holds its address.
    private static final LibBpf.Api.PrintCallback PRINT = Native::onLibbpfPrint;

    static {
        LIBBPF.libbpf_set_print(PRINT);
    }

    private Native() {}

    static LibBpf.Api libbpf() {
        return LIBBPF;
    }

    static Runtime runtime() {
        return RUNTIME;
    }

    static LibC.Api libc() {
        return LIBC;
    }

    static LibbpfLog log() {
        return RECENT;
    }

    static Pointer allocate(int bytes) {
        return Memory.allocateDirect(RUNTIME, bytes, true);
    }

    static void closeFd(int fd) {
        if (fd >= 0) {
            LIBC.close(fd);
        }
    }

    /** errno of the last native call on this thread (for libbpf functions returning pointers). */
    static int lastErrno() {
        return RUNTIME.getLastError();
    }

    /** Checks a libbpf int result (negative errno on failure) and returns it when it is not an error. */
    static int check(int result, long logMark, String what, String which) {
        if (result < 0) {
            throw failure(-result, logMark, what, which);
        }
        return result;
    }

    static BpfException failure(int errno, long logMark, String what, String which) {
        List<String> lines = RECENT.sinceMark(logMark);
        return new BpfException(what, which, errno, lines);
    }

    private static int onLibbpfPrint(int level, Pointer format, Pointer vaList) {
        String text;
        synchronized (FORMAT_BUFFER) {
            int length = LIBC.vsnprintf(FORMAT_BUFFER, FORMAT_BUFFER_BYTES, format, vaList);
            int kept = Math.max(0, Math.min(length, FORMAT_BUFFER_BYTES - 1));
            byte[] bytes = new byte[kept];
            FORMAT_BUFFER.get(0, bytes, 0, kept);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        RECENT.append(level, text);
        if (level == LibbpfLog.LEVEL_DEBUG) {
            LOG.trace("{}", text.strip());
        } else {
            LOG.debug("{}", text.strip());
        }
        return 0;
    }
}
