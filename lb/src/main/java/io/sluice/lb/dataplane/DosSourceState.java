package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;

/** struct sluice_dos_source: one tracked source's token-bucket state (GCRA) and counters. */
public record DosSourceState(long packetTat, long flowTat, long packets, long newFlows, long dropped) {

    public static final int SIZE = 40;
    public static final int OFFSET_PACKET_TAT = 0;
    public static final int OFFSET_FLOW_TAT = 8;
    public static final int OFFSET_PACKETS = 16;
    public static final int OFFSET_NEW_FLOWS = 24;
    public static final int OFFSET_DROPPED = 32;

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putLong(OFFSET_PACKET_TAT, packetTat);
        b.putLong(OFFSET_FLOW_TAT, flowTat);
        b.putLong(OFFSET_PACKETS, packets);
        b.putLong(OFFSET_NEW_FLOWS, newFlows);
        b.putLong(OFFSET_DROPPED, dropped);
        return b.array();
    }

    public static DosSourceState decode(byte[] bytes) {
        return decode(Codec.wrap(bytes, SIZE, "struct sluice_dos_source"), 0);
    }

    static DosSourceState decode(ByteBuffer b, int base) {
        return new DosSourceState(b.getLong(base + OFFSET_PACKET_TAT), b.getLong(base + OFFSET_FLOW_TAT),
                b.getLong(base + OFFSET_PACKETS), b.getLong(base + OFFSET_NEW_FLOWS), b.getLong(base + OFFSET_DROPPED));
    }

    /** The same state with both buckets' clocks moved back: as if {@code nanos} had passed since. */
    public DosSourceState rewound(long nanos) {
        return new DosSourceState(packetTat - nanos, flowTat - nanos, packets, newFlows, dropped);
    }
}
