package io.sluice.lb.bpf;

import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * A loaded BPF program held by its own file descriptor (from a loaded object, a pin or an id).
 * Thread-safety: as {@link BpfMap}; test runs may run concurrently.
 */
public final class BpfProgram implements AutoCloseable {

    /*
     * struct bpf_test_run_opts { size_t sz; const void *data_in; void *data_out; __u32 data_size_in;
     *     __u32 data_size_out; const void *ctx_in; void *ctx_out; __u32 ctx_size_in; __u32 ctx_size_out;
     *     __u32 retval; int repeat; __u32 duration; __u32 flags; __u32 cpu; __u32 batch_size; };
     */
    static final int TEST_RUN_OPTS_SIZE = 80;
    static final int TEST_RUN_SZ = 0;
    static final int TEST_RUN_DATA_IN = 8;
    static final int TEST_RUN_DATA_OUT = 16;
    static final int TEST_RUN_DATA_SIZE_IN = 24;
    static final int TEST_RUN_DATA_SIZE_OUT = 28;
    static final int TEST_RUN_RETVAL = 56;
    static final int TEST_RUN_REPEAT = 60;
    static final int TEST_RUN_DURATION = 64;
    /** Room for what a program may add in front (encapsulation uses bpf_xdp_adjust_head). */
    public static final int TEST_RUN_GROWTH_BYTES = 256;

    private final int id;
    private final String name;
    private final int kernelType;
    private final String tag;
    private final OwnedFd owned;

    private BpfProgram(int fd, String which) {
        ObjectInfo.ProgramInfo info;
        try {
            info = ObjectInfo.program(fd, which);
        } catch (RuntimeException e) {
            Native.closeFd(fd);
            throw e;
        }
        this.owned = new OwnedFd(fd);
        this.id = info.id();
        this.name = info.name();
        this.kernelType = info.type();
        this.tag = info.tag();
    }

    /** Takes ownership of {@code fd}. */
    static BpfProgram adopt(int fd, String which) {
        return new BpfProgram(fd, which);
    }

    public static BpfProgram openPinned(Path path) {
        long mark = Native.log().mark();
        int fd = Native.check(Native.libbpf().bpf_obj_get(path.toString()), mark, "open pinned program",
                path.toString());
        return new BpfProgram(fd, path.toString());
    }

    public static BpfProgram fromId(int programId) {
        long mark = Native.log().mark();
        String which = "id " + programId;
        int fd = Native.check(Native.libbpf().bpf_prog_get_fd_by_id(programId), mark, "open program by", which);
        return new BpfProgram(fd, which);
    }

    public int fd() {
        return liveFd("use");
    }

    public int id() {
        return id;
    }

    /** The kernel's name for it: the C function name, cut to 15 characters. */
    public String name() {
        return name;
    }

    /**
     * The kernel's tag: a hash of the instructions with map references masked, so two loads of the
     * same object have the same tag and any code change gives another. Used to tell whether a
     * running program is this build's.
     */
    public String tag() {
        return tag;
    }

    /** enum bpf_prog_type (XDP is 6). */
    public int kernelType() {
        return kernelType;
    }

    /**
     * Runs the program once per repetition on {@code packet} (BPF_PROG_TEST_RUN). Each repetition
     * runs on the buffer the previous one rewrote; the result holds the final bytes.
     */
    public TestRunResult testRun(byte[] packet, int repeat) {
        int outCapacity = packet.length + TEST_RUN_GROWTH_BYTES;
        Pointer dataIn = Native.allocate(Math.max(1, packet.length));
        dataIn.put(0, packet, 0, packet.length);
        Pointer dataOut = Native.allocate(outCapacity);
        Pointer opts = Native.allocate(TEST_RUN_OPTS_SIZE);
        opts.putLong(TEST_RUN_SZ, TEST_RUN_OPTS_SIZE);
        opts.putAddress(TEST_RUN_DATA_IN, dataIn.address());
        opts.putAddress(TEST_RUN_DATA_OUT, dataOut.address());
        opts.putInt(TEST_RUN_DATA_SIZE_IN, packet.length);
        opts.putInt(TEST_RUN_DATA_SIZE_OUT, outCapacity);
        opts.putInt(TEST_RUN_REPEAT, Math.max(1, repeat));
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_prog_test_run_opts(liveFd("test run"), opts), mark, "test run", describe());
        int outLength = opts.getInt(TEST_RUN_DATA_SIZE_OUT);
        byte[] out = new byte[Math.min(outLength, outCapacity)];
        dataOut.get(0, out, 0, out.length);
        return new TestRunResult(opts.getInt(TEST_RUN_RETVAL), out,
                Integer.toUnsignedLong(opts.getInt(TEST_RUN_DURATION)));
    }

    public void pin(Path path) {
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_obj_pin(liveFd("pin"), path.toString()), mark,
                "pin " + describe() + " at", path.toString());
    }

    /** Closes this fd only; an attached or pinned program stays. Idempotent. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    private String describe() {
        return "program '" + name + "' (id " + id + ")";
    }

    private int liveFd(String what) {
        return owned.live(what, describe());
    }
}
