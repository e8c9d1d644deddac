package io.sluice.lb.config;

/** How the balancer program is attached to the interface. */
public enum XdpMode {
    /** Native (driver) mode if the driver supports it, else generic with a logged warning. */
    AUTO,
    /** Driver mode only: attaching fails if the driver cannot run XDP. */
    NATIVE,
    /** Generic (skb) mode: works everywhere, slower; for labs and drivers without XDP. */
    GENERIC;

    /** The attach mode the BPF layer takes. */
    public io.sluice.lb.bpf.XdpMode toBpf() {
        return switch (this) {
            case AUTO -> io.sluice.lb.bpf.XdpMode.AUTO;
            case NATIVE -> io.sluice.lb.bpf.XdpMode.NATIVE;
            case GENERIC -> io.sluice.lb.bpf.XdpMode.GENERIC;
        };
    }
}
