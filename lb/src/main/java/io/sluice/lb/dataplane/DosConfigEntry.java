package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;

/** struct sluice_dos_config: the value of {@code dos_config} (key 0). All zero = the DoS stage is idle. */
public record DosConfigEntry(int flags, int allow4, int allow6, int deny4, int deny6, DosRate sourcePackets,
                             DosRate sourceFlows) {

    public static final int SIZE = 72;
    public static final int OFFSET_FLAGS = 0;
    public static final int OFFSET_ALLOW4 = 4;
    public static final int OFFSET_ALLOW6 = 8;
    public static final int OFFSET_DENY4 = 12;
    public static final int OFFSET_DENY6 = 16;
    public static final int OFFSET_PAD = 20;
    public static final int OFFSET_SOURCE_PACKETS = 24;
    public static final int OFFSET_SOURCE_FLOWS = 48;

    public static final DosConfigEntry IDLE = new DosConfigEntry(0, 0, 0, 0, 0, DosRate.NONE, DosRate.NONE);

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putInt(OFFSET_FLAGS, flags);
        b.putInt(OFFSET_ALLOW4, allow4);
        b.putInt(OFFSET_ALLOW6, allow6);
        b.putInt(OFFSET_DENY4, deny4);
        b.putInt(OFFSET_DENY6, deny6);
        sourcePackets.put(b, OFFSET_SOURCE_PACKETS);
        sourceFlows.put(b, OFFSET_SOURCE_FLOWS);
        return b.array();
    }

    public static DosConfigEntry decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_dos_config");
        return new DosConfigEntry(b.getInt(OFFSET_FLAGS), b.getInt(OFFSET_ALLOW4), b.getInt(OFFSET_ALLOW6),
                b.getInt(OFFSET_DENY4), b.getInt(OFFSET_DENY6), DosRate.get(b, OFFSET_SOURCE_PACKETS),
                DosRate.get(b, OFFSET_SOURCE_FLOWS));
    }
}
