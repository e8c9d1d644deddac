package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;

/** struct sluice_flow: where an established flow goes. */
public record FlowEntry(int backendId, int vipId) {

    public static final int SIZE = 8;
    public static final int OFFSET_BACKEND_ID = 0;
    public static final int OFFSET_VIP_ID = 4;

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putInt(OFFSET_BACKEND_ID, backendId);
        b.putInt(OFFSET_VIP_ID, vipId);
        return b.array();
    }

    public static FlowEntry decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_flow");
        return new FlowEntry(b.getInt(OFFSET_BACKEND_ID), b.getInt(OFFSET_VIP_ID));
    }
}
