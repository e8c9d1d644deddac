package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct sluice_traffic: one CPU's counters of a VIP or backend, or their sum over CPUs.
 *
 * @param secondChance backends only: packets sent naming it as the draining previous owner of their
 *                     bucket (flows the balancer did not see start): a drain's activity the packet
 *                     count alone would miss
 */
public record TrafficCounter(long packets, long bytes, long newFlows, long secondChance) {

    public static final int SIZE = 32;
    public static final int OFFSET_PACKETS = 0;
    public static final int OFFSET_BYTES = 8;
    public static final int OFFSET_NEW_FLOWS = 16;
    public static final int OFFSET_SECOND_CHANCE = 24;

    public static final TrafficCounter ZERO = new TrafficCounter(0, 0, 0, 0);

    public TrafficCounter(long packets, long bytes, long newFlows) {
        this(packets, bytes, newFlows, 0);
    }

    public TrafficCounter plus(TrafficCounter other) {
        return new TrafficCounter(packets + other.packets, bytes + other.bytes, newFlows + other.newFlows,
                secondChance + other.secondChance);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putLong(OFFSET_PACKETS, packets);
        b.putLong(OFFSET_BYTES, bytes);
        b.putLong(OFFSET_NEW_FLOWS, newFlows);
        b.putLong(OFFSET_SECOND_CHANCE, secondChance);
        return b.array();
    }

    public static TrafficCounter decode(byte[] bytes) {
        return decode(Codec.wrap(bytes, SIZE, "struct sluice_traffic"), 0);
    }

    /** Sums the per-CPU values of a per-CPU map lookup ({@code SIZE} bytes per CPU, packed). */
    public static TrafficCounter sumPerCpu(byte[] perCpu) {
        return sumPerCpu(perCpu, 0, perCpu.length);
    }

    /** {@link #sumPerCpu(byte[])} of the {@code length} bytes at {@code offset} (one entry of a batch read). */
    public static TrafficCounter sumPerCpu(byte[] values, int offset, int length) {
        if (length % SIZE != 0) {
            throw new IllegalArgumentException("per-CPU traffic values must be a multiple of " + SIZE
                    + " bytes, got " + length);
        }
        ByteBuffer b = ByteBuffer.wrap(values).order(ByteOrder.nativeOrder());
        long packets = 0;
        long bytes = 0;
        long newFlows = 0;
        long secondChance = 0;
        for (int base = offset; base < offset + length; base += SIZE) {
            packets += b.getLong(base + OFFSET_PACKETS);
            bytes += b.getLong(base + OFFSET_BYTES);
            newFlows += b.getLong(base + OFFSET_NEW_FLOWS);
            secondChance += b.getLong(base + OFFSET_SECOND_CHANCE);
        }
        return new TrafficCounter(packets, bytes, newFlows, secondChance);
    }

    private static TrafficCounter decode(ByteBuffer b, int base) {
        return new TrafficCounter(b.getLong(base + OFFSET_PACKETS), b.getLong(base + OFFSET_BYTES),
                b.getLong(base + OFFSET_NEW_FLOWS), b.getLong(base + OFFSET_SECOND_CHANCE));
    }
}
