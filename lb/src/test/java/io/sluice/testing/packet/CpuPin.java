package io.sluice.testing.packet;

import jnr.ffi.LibraryLoader;

/**
 * Pins the calling thread to one CPU while open, and gives back its previous CPU set on close.
 * BPF_PROG_TEST_RUN runs the program on the calling thread's CPU, and the flow cache is per
 * CPU: a test that sends two packets of a flow must send them from the same CPU, as a NIC's
 * RSS would.
 */
public final class CpuPin implements AutoCloseable {
    /** sched_setaffinity's pid 0: the calling thread. */
    private static final int CALLING_THREAD = 0;
    /** Room for 1024 CPUs (the kernel's usual NR_CPUS for this kind of host). */
    private static final int MASK_LONGS = 16;
    private static final int MASK_BYTES = MASK_LONGS * Long.BYTES;

    private static final Api LIBC = LibraryLoader.create(Api.class).load("c");

    private final long[] previous;

    private CpuPin(long[] previous) {
        this.previous = previous;
    }

    /** Public for jnr-ffi's generated implementation. */
    public interface Api {
        int sched_getaffinity(int pid, long size, long[] mask);

        int sched_setaffinity(int pid, long size, long[] mask);

        int sched_getcpu();
    }

    /** Pins the calling thread to the CPU it is running on now. */
    public static CpuPin currentCpu() {
        long[] previous = new long[MASK_LONGS];
        if (LIBC.sched_getaffinity(CALLING_THREAD, MASK_BYTES, previous) != 0) {
            throw new IllegalStateException("sched_getaffinity failed");
        }
        int cpu = LIBC.sched_getcpu();
        long[] one = new long[MASK_LONGS];
        one[cpu / Long.SIZE] = 1L << (cpu % Long.SIZE);
        if (cpu < 0 || LIBC.sched_setaffinity(CALLING_THREAD, MASK_BYTES, one) != 0) {
            throw new IllegalStateException("cannot pin the test thread to CPU " + cpu);
        }
        return new CpuPin(previous);
    }

    /**
     * Pins the calling thread to {@code cpu} (a test that plays a flow whose packets run on two
     * CPUs, as veth or an RSS change makes them). Empty when the thread may not run there.
     */
    public static java.util.Optional<CpuPin> on(int cpu) {
        long[] previous = new long[MASK_LONGS];
        if (cpu < 0 || cpu >= MASK_LONGS * Long.SIZE
                || LIBC.sched_getaffinity(CALLING_THREAD, MASK_BYTES, previous) != 0) {
            return java.util.Optional.empty();
        }
        long[] one = new long[MASK_LONGS];
        one[cpu / Long.SIZE] = 1L << (cpu % Long.SIZE);
        if (LIBC.sched_setaffinity(CALLING_THREAD, MASK_BYTES, one) != 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new CpuPin(previous));
    }

    /** The CPU the calling thread runs on. */
    public static int cpu() {
        return LIBC.sched_getcpu();
    }

    @Override
    public void close() {
        LIBC.sched_setaffinity(CALLING_THREAD, MASK_BYTES, previous);
    }
}
