package io.sluice.lb.bpf;

import java.nio.charset.StandardCharsets;

/** errno numbers the binding reacts to, and errno text through libbpf_strerror. */
final class Errors {

    static final int ENOENT = 2;
    static final int EBADF = 9;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EOPNOTSUPP = 95;
    /** The kernel-internal ENOTSUPP that leaks to user space from some bpf(2) paths. */
    static final int ENOTSUPP_KERNEL = 524;

    private static final int STRERROR_BUFFER = 256;

    private Errors() {}

    static String describe(int errno) {
        try {
            byte[] buffer = new byte[STRERROR_BUFFER];
            Native.libbpf().libbpf_strerror(errno, buffer, buffer.length);
            int end = 0;
            while (end < buffer.length && buffer[end] != 0) {
                end++;
            }
            return new String(buffer, 0, end, StandardCharsets.UTF_8);
        } catch (LinkageError | RuntimeException e) {
            return "error " + errno;
        }
    }

    static boolean isNotSupported(int errno) {
        return errno == EOPNOTSUPP || errno == ENOTSUPP_KERNEL || errno == EINVAL;
    }
}
