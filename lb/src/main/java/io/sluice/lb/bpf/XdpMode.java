package io.sluice.lb.bpf;

/** How an XDP program is attached to an interface. */
public enum XdpMode {
    /** Native (driver) mode when the driver supports it, generic otherwise. Only a request, never "in effect". */
    AUTO(0),
    /** XDP_FLAGS_DRV_MODE: runs in the driver, before an skb exists. */
    NATIVE(1 << 2),
    /** XDP_FLAGS_SKB_MODE: runs on the skb in the generic receive path; works on any device. */
    GENERIC(1 << 1),
    /** XDP_FLAGS_HW_MODE: offloaded to the NIC. Reported when found, not used by sluice. */
    OFFLOAD(1 << 3);

    private final int attachFlags;

    XdpMode(int attachFlags) {
        this.attachFlags = attachFlags;
    }

    /** The XDP_FLAGS_* bits for bpf_link_create. */
    public int attachFlags() {
        return attachFlags;
    }
}
