package io.sluice.bench.maps;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark that also prints the CPU time of its thread per operation over each JMH iteration.
 * JMH times operations by the wall clock, which on a busy machine includes waiting for a CPU; this
 * figure does not, and it also shows how much of an operation is waiting in the kernel (a syscall
 * that sleeps, such as the RCU grace period after a map-in-map update, costs wall time, not CPU).
 * Subclasses call {@link #op()} once per operation. The iteration fixtures below and the benchmark
 * method run on the same thread (one thread per benchmark here); if they did not, no figure is
 * printed.
 */
public abstract class ThreadCpuBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long threadId = -1;
    private long startNanos;
    private long ops;
    private boolean otherThread;

    @Setup(Level.Iteration)
    public void startCpu() {
        threadId = Thread.currentThread().getId();
        startNanos = THREADS.getCurrentThreadCpuTime();
        ops = 0;
        otherThread = false;
    }

    /** Once per operation, from the benchmark method. */
    protected final void op() {
        ops++;
        if (Thread.currentThread().getId() != threadId) {
            otherThread = true;
        }
    }

    @TearDown(Level.Iteration)
    public void reportCpu() {
        if (ops == 0 || otherThread) {
            return;
        }
        long used = THREADS.getThreadCpuTime(threadId) - startNanos;
        // JMH runs a generated subclass (Foo_jmhType): print the benchmark's own name.
        System.out.printf("%s: %d ops, benchmark thread CPU %.3f ms per op%n",
                getClass().getSimpleName().replaceFirst("_jmhType.*$", ""), ops, used / 1e6 / ops);
    }
}
