package io.sluice.lb.bpf;

/** What the kernel reports about an XDP link: its id, the attached program's id, the interface. */
public record LinkInfo(int linkId, int programId, int ifindex) {}
