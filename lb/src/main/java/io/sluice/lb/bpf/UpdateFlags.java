package io.sluice.lb.bpf;

/** The flags of bpf_map_update_elem. */
public enum UpdateFlags {
    /** BPF_ANY: create or replace. */
    ANY(0),
    /** BPF_NOEXIST: create only; EEXIST if present. */
    NOEXIST(1),
    /** BPF_EXIST: replace only; ENOENT if absent. */
    EXIST(2);

    private final long kernelValue;

    UpdateFlags(long kernelValue) {
        this.kernelValue = kernelValue;
    }

    public long kernelValue() {
        return kernelValue;
    }
}
