package io.sluice.lb.bpf;

/** enum xdp_action, in kernel order: the ordinal is the program's return value. */
public enum XdpAction {
    ABORTED,
    DROP,
    PASS,
    TX,
    REDIRECT;

    public int kernelValue() {
        return ordinal();
    }

    public static XdpAction of(int value) {
        XdpAction[] all = values();
        if (value < 0 || value >= all.length) {
            throw new IllegalArgumentException("not an XDP action: " + value);
        }
        return all[value];
    }
}
