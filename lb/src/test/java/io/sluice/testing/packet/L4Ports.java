package io.sluice.testing.packet;

/** The source and destination ports at the start of a TCP or UDP header. */
public record L4Ports(int src, int dst) {
    public static L4Ports parse(byte[] bytes, int offset) {
        Wire w = new Wire(bytes);
        return new L4Ports(w.u16(offset), w.u16(offset + 2));
    }
}
