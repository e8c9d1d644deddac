package io.sluice.lb.bpf;

import java.util.List;

/**
 * A failed libbpf or bpf(2) call. The message names the operation and the object
 * (map, program, path), the errno and its text, then what libbpf logged about it
 * (for a failed load: the verifier log).
 */
public class BpfException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    /** Verifier logs can be thousands of lines; the message keeps the tail, where the error is. */
    private static final int MAX_MESSAGE_LOG_CHARS = 16 * 1024;

    private final int errno;
    private final List<String> libbpfLog;

    public BpfException(String what, String which, int errno, List<String> libbpfLog) {
        super(format(what, which, errno, libbpfLog));
        this.errno = errno;
        this.libbpfLog = List.copyOf(libbpfLog);
    }

    public BpfException(String what, String which, int errno) {
        this(what, which, errno, List.of());
    }

    /** The positive errno of the failure. */
    public int errno() {
        return errno;
    }

    /** Everything libbpf logged on this thread during the failed call, untruncated. */
    public List<String> libbpfLog() {
        return libbpfLog;
    }

    private static String format(String what, String which, int errno, List<String> log) {
        StringBuilder message = new StringBuilder()
                .append(what).append(' ').append(which).append(": ")
                .append(Errors.describe(errno)).append(" (errno ").append(errno).append(')');
        if (!log.isEmpty()) {
            String joined = String.join("\n", log);
            if (joined.length() > MAX_MESSAGE_LOG_CHARS) {
                joined = "...\n" + joined.substring(joined.length() - MAX_MESSAGE_LOG_CHARS);
            }
            message.append("\nlibbpf: ").append(joined);
        }
        return message.toString();
    }
}
