package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfProgramTest {

    private static final int ETH_ALEN = 6;
    private static final int GROW_BYTES = 4;
    private static final byte GROW_MARK = (byte) 0xab;

    @TempDir
    static Path buildDir;
    private static BpfObject object;

    @BeforeAll
    static void load() {
        assumeTrue(BpfTestSupport.isRoot(), "BPF_PROG_TEST_RUN needs root");
        object = BpfObject.open(BpfTestSupport.compileTestObject("binding_test", buildDir)).load();
    }

    @AfterAll
    static void close() {
        if (object != null) {
            object.close();
        }
    }

    @Test
    void returnValueIsTheXdpAction() {
        try (BpfProgram drop = object.program("xdp_drop_all"); BpfProgram pass = object.program("xdp_pass_all")) {
            byte[] frame = frame();
            TestRunResult dropped = drop.testRun(frame, 1);
            assertThat(dropped.action()).isEqualTo(XdpAction.DROP);
            assertThat(dropped.data()).isEqualTo(frame);
            assertThat(pass.testRun(frame, 1).action()).isEqualTo(XdpAction.PASS);
            assertThat(drop.name()).isEqualTo("xdp_drop_all");
            assertThat(drop.id()).isPositive().isNotEqualTo(pass.id());
        }
    }

    @Test
    void rewrittenBytesComeBackExactly() {
        try (BpfProgram swap = object.program("xdp_swap_mac")) {
            byte[] frame = frame();
            TestRunResult result = swap.testRun(frame, 1);
            assertThat(result.action()).isEqualTo(XdpAction.TX);
            byte[] out = result.data();
            assertThat(out).hasSize(frame.length);
            assertThat(Arrays.copyOfRange(out, 0, ETH_ALEN)).isEqualTo(Arrays.copyOfRange(frame, ETH_ALEN, 2 * ETH_ALEN));
            assertThat(Arrays.copyOfRange(out, ETH_ALEN, 2 * ETH_ALEN)).isEqualTo(Arrays.copyOfRange(frame, 0, ETH_ALEN));
            assertThat(Arrays.copyOfRange(out, 2 * ETH_ALEN, out.length))
                    .isEqualTo(Arrays.copyOfRange(frame, 2 * ETH_ALEN, frame.length));
        }
    }

    @Test
    void outputMayBeLongerThanInput() {
        try (BpfProgram grow = object.program("xdp_grow")) {
            byte[] frame = frame();
            TestRunResult result = grow.testRun(frame, 1);
            assertThat(result.action()).isEqualTo(XdpAction.TX);
            byte[] out = result.data();
            assertThat(out).hasSize(frame.length + GROW_BYTES);
            for (int i = 0; i < GROW_BYTES; i++) {
                assertThat(out[i]).isEqualTo(GROW_MARK);
            }
            assertThat(Arrays.copyOfRange(out, GROW_BYTES, out.length)).isEqualTo(frame);
        }
    }

    @Test
    void repeatRunsTheProgramThatManyTimes() {
        int repeat = 25;
        try (BpfProgram count = object.program("xdp_count"); BpfMap runs = object.map("runs")) {
            long before = sumRuns(runs);
            assertThat(count.testRun(frame(), repeat).action()).isEqualTo(XdpAction.PASS);
            assertThat(sumRuns(runs) - before).isEqualTo(repeat);
        }
    }

    @Test
    void pinnedProgramReopensAsTheSameProgram() {
        Path dir = BpfTestSupport.newPinDir("prog");
        try (BpfProgram drop = object.program("xdp_drop_all")) {
            Path pin = dir.resolve("drop");
            drop.pin(pin);
            try (BpfProgram reopened = BpfProgram.openPinned(pin)) {
                assertThat(reopened.id()).isEqualTo(drop.id());
                assertThat(reopened.testRun(frame(), 1).action()).isEqualTo(XdpAction.DROP);
            }
        } finally {
            BpfTestSupport.removePinDir(dir);
        }
    }

    private static long sumRuns(BpfMap runs) {
        byte[] perCpu = new byte[runs.userValueSize()];
        runs.lookup(BpfMapTest.u32(0), perCpu);
        ByteBuffer b = ByteBuffer.wrap(perCpu).order(ByteOrder.nativeOrder());
        long sum = 0;
        while (b.hasRemaining()) {
            sum += b.getLong();
        }
        return sum;
    }

    /** An Ethernet frame with distinct MACs and a recognisable 46-byte payload. */
    private static byte[] frame() {
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 7 + 1);
        }
        frame[12] = 0x08;
        frame[13] = 0x00;
        return frame;
    }
}
