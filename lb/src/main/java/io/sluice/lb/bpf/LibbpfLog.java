package io.sluice.lb.bpf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A bounded ring of libbpf's recent log messages, so an error can quote what libbpf
 * said about it (the verifier log on a failed load, a map reuse mismatch, ...).
 * Messages are tagged with the thread that made the libbpf call: libbpf logs on the
 * caller's thread, so a failing call's messages are the ones its own thread logged
 * since it started.
 */
final class LibbpfLog {

    /** libbpf_print_level. */
    static final int LEVEL_WARN = 0;
    static final int LEVEL_INFO = 1;
    static final int LEVEL_DEBUG = 2;

    private static final int CAPACITY = 256;

    record Entry(long sequence, long threadId, int level, String text) {}

    private final Deque<Entry> entries = new ArrayDeque<>(CAPACITY);
    private long nextSequence;

    synchronized void append(int level, String text) {
        if (entries.size() == CAPACITY) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(nextSequence++, Thread.currentThread().getId(), level, text));
    }

    /** A position to pass to {@link #sinceMark} after the call that might fail. */
    synchronized long mark() {
        return nextSequence;
    }

    /** This thread's messages (warnings and info) logged since {@code mark}. */
    synchronized List<String> sinceMark(long mark) {
        long thread = Thread.currentThread().getId();
        List<String> lines = new ArrayList<>();
        for (Entry e : entries) {
            if (e.sequence() >= mark && e.threadId() == thread && e.level() <= LEVEL_INFO) {
                lines.add(e.text().strip());
            }
        }
        return lines;
    }
}
