package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;

/** struct sluice_traffic: one CPU's counters of a VIP or backend, or their sum over CPUs. */
public record TrafficCounter(long packets, long bytes, long newFlows) {

    public static final int SIZE = 24;
    public static final int OFFSET_PACKETS = 0;
    public static final int OFFSET_BYTES = 8;
    public static final int OFFSET_NEW_FLOWS = 16;

    public static final TrafficCounter ZERO = new TrafficCounter(0, 0, 0);

    public TrafficCounter plus(TrafficCounter other) {
        return new TrafficCounter(packets + other.packets, bytes + other.bytes, newFlows + other.newFlows);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putLong(OFFSET_PACKETS, packets);
        b.putLong(OFFSET_BYTES, bytes);
        b.putLong(OFFSET_NEW_FLOWS, newFlows);
        return b.array();
    }

    public static TrafficCounter decode(byte[] bytes) {
        return decode(Codec.wrap(bytes, SIZE, "struct sluice_traffic"), 0);
    }

    /** Sums the per-CPU values of a per-CPU map lookup ({@code SIZE} bytes per CPU, packed). */
    public static TrafficCounter sumPerCpu(byte[] perCpu) {
        if (perCpu.length % SIZE != 0) {
            throw new IllegalArgumentException("per-CPU traffic values must be a multiple of " + SIZE
                    + " bytes, got " + perCpu.length);
        }
        ByteBuffer b = Codec.wrap(perCpu, perCpu.length, "per-CPU struct sluice_traffic");
        TrafficCounter sum = ZERO;
        for (int offset = 0; offset < perCpu.length; offset += SIZE) {
            sum = sum.plus(decode(b, offset));
        }
        return sum;
    }

    private static TrafficCounter decode(ByteBuffer b, int base) {
        return new TrafficCounter(b.getLong(base + OFFSET_PACKETS), b.getLong(base + OFFSET_BYTES),
                b.getLong(base + OFFSET_NEW_FLOWS));
    }
}
