package io.sluice.bench.maps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the benchmark thread per operation over one JMH iteration, printed at its end. JMH
 * times operations by the wall clock, which on a busy machine includes waiting for a CPU; this
 * figure does not, and it also shows how much of an operation is waiting in the kernel (a syscall
 * that sleeps, such as the RCU grace period after a map-in-map update, costs wall time, not CPU).
 * The JMH iteration fixtures and the benchmark method run on the same thread (one thread per
 * benchmark here); if they did not, no figure is printed.
 */
public final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long threadId = -1;
    private long startNanos;
    private long ops;
    private boolean otherThread;

    /** From a {@code @Setup(Level.Iteration)} method. */
    public void start() {
        threadId = Thread.currentThread().getId();
        startNanos = THREADS.getCurrentThreadCpuTime();
        ops = 0;
        otherThread = false;
    }

    /** From the benchmark method, once per operation. */
    public void op() {
        ops++;
        if (Thread.currentThread().getId() != threadId) {
            otherThread = true;
        }
    }

    /** From a {@code @TearDown(Level.Iteration)} method. */
    public void report(String what) {
        if (ops == 0 || otherThread) {
            return;
        }
        long used = THREADS.getThreadCpuTime(threadId) - startNanos;
        // JMH runs a generated subclass (Foo_jmhType): print the benchmark's own name.
        System.out.printf("%s: %d ops, benchmark thread CPU %.3f ms per op%n", what.replaceFirst("_jmhType.*$", ""),
                ops, used / 1e6 / ops);
    }
}
