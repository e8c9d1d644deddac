package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.UpdateFlags;
import io.sluice.lb.dataplane.BpfObjectFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bench_restore.o driven from Java: puts the pristine frame into {@code bench_packet},
 * points {@code bench_target[0]} at the program under test and runs the wrapper with a
 * repeat count. Also holds xdp_pass, the target that measures the wrapper's own cost, and the
 * head-matched baselines (push / pull a header and pass) that make the wrapper's restore work as
 * it does after the program under test.
 */
final class RestoreWrapper implements AutoCloseable {
    private static final String OBJECT = "bench_restore.o";
    private static final String PROGRAM = "bench_restore";
    private static final String MAP_PACKET = "bench_packet";
    private static final String MAP_TARGET = "bench_target";
    private static final String PASS_OBJECT = "xdp_pass.o";
    private static final String PASS_PROGRAM = "xdp_pass";
    private static final String PUSH_IPV4_PROGRAM = "bench_push_ipv4";
    private static final String PUSH_IPV6_PROGRAM = "bench_push_ipv6";
    private static final String PULL_IPV4_PROGRAM = "bench_pull_ipv4";

    /* struct bench_packet { __u32 len; __u16 sport_offset; __u16 src_tail_offset; __u8 bytes[1536]; } */
    private static final int OFFSET_LEN = 0;
    private static final int OFFSET_SPORT = 4;
    private static final int OFFSET_SRC_TAIL = 6;
    private static final int OFFSET_BYTES = 8;
    private static final int MAX_PACKET = 1536;
    private static final int ONLY_KEY = 0;

    private final BpfObject wrapperObject;
    private final BpfObject passObject;
    private final BpfProgram wrapper;
    private final BpfProgram pass;
    private final BpfProgram pushIpv4;
    private final BpfProgram pushIpv6;
    private final BpfProgram pullIpv4;
    private final BpfMap packet;
    private final BpfMap target;

    RestoreWrapper() {
        wrapperObject = BpfObject.open(BpfObjectFiles.locate(OBJECT)).load();
        passObject = BpfObject.open(BpfObjectFiles.locate(PASS_OBJECT)).load();
        wrapper = wrapperObject.program(PROGRAM);
        pass = passObject.program(PASS_PROGRAM);
        pushIpv4 = wrapperObject.program(PUSH_IPV4_PROGRAM);
        pushIpv6 = wrapperObject.program(PUSH_IPV6_PROGRAM);
        pullIpv4 = wrapperObject.program(PULL_IPV4_PROGRAM);
        packet = wrapperObject.map(MAP_PACKET);
        target = wrapperObject.map(MAP_TARGET);
    }

    /** The wrapper tail-calls xdp_pass: what is left is the wrapper's own cost. */
    BpfProgram passThrough() {
        return pass;
    }

    /** Pushes 20 bytes at the head and passes: the wrapper's restore then undoes it, as after a 4in4 / 6in4 encap. */
    BpfProgram pushIpv4() {
        return pushIpv4;
    }

    /** Pushes 40 bytes, as an IPv6 outer header does. */
    BpfProgram pushIpv6() {
        return pushIpv6;
    }

    /** Pulls 20 bytes, as decap of an IPv4 outer header does. */
    BpfProgram pullIpv4() {
        return pullIpv4;
    }

    void load(BenchFrame frame) {
        byte[] bytes = frame.bytes();
        if (bytes.length > MAX_PACKET) {
            throw new IllegalArgumentException("bench_restore holds frames up to " + MAX_PACKET + " bytes");
        }
        ByteBuffer value = ByteBuffer.allocate(OFFSET_BYTES + MAX_PACKET).order(ByteOrder.nativeOrder());
        value.putInt(OFFSET_LEN, bytes.length)
                .putShort(OFFSET_SPORT, (short) frame.sourcePortOffset())
                .putShort(OFFSET_SRC_TAIL, (short) frame.sourceTailOffset())
                .put(OFFSET_BYTES, bytes);
        packet.update(u32(ONLY_KEY), value.array(), UpdateFlags.ANY);
    }

    void target(BpfProgram program) {
        target.update(u32(ONLY_KEY), u32(program.fd()), UpdateFlags.ANY);
    }

    /** One BPF_PROG_TEST_RUN of the wrapper; durationNs is the kernel's mean per iteration. */
    TestRunResult run(BenchFrame frame, int repeat) {
        return wrapper.testRun(frame.bytes(), repeat);
    }

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    @Override
    public void close() {
        target.close();
        packet.close();
        pass.close();
        pushIpv4.close();
        pushIpv6.close();
        pullIpv4.close();
        wrapper.close();
        passObject.close();
        wrapperObject.close();
    }
}
