package io.sluice.lb.bpf;

import java.util.Arrays;

/**
 * The outcome of BPF_PROG_TEST_RUN: the program's return value (for XDP an {@link XdpAction}),
 * the packet as the program left it, and the kernel's average time per repetition.
 */
public record TestRunResult(int retval, byte[] data, long durationNs) {

    public TestRunResult {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public XdpAction action() {
        return XdpAction.of(retval);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TestRunResult r
                && r.retval == retval && r.durationNs == durationNs && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Integer.hashCode(retval) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "TestRunResult[retval=" + retval + ", " + data.length + " bytes, " + durationNs + " ns]";
    }
}
