package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/** struct sluice_flow_slot: one remembered flow in a flow-cache bucket. */
public record FlowSlot(FlowKey key, int backendId, int vipId) {

    public static final int SIZE = 48;
    public static final int OFFSET_KEY = 0;
    public static final int OFFSET_BACKEND_ID = 40;
    public static final int OFFSET_VIP_ID = 44;

    /** An empty slot has family 0 in its key; the program never writes a key without a family. */
    private static final int EMPTY_MARK_AT = OFFSET_KEY + FlowKey.OFFSET_FAMILY;

    public FlowSlot {
        Objects.requireNonNull(key, "key");
    }

    public FlowEntry entry() {
        return new FlowEntry(backendId, vipId);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        put(b, 0);
        return b.array();
    }

    void put(ByteBuffer b, int base) {
        b.put(base + OFFSET_KEY, key.encode());
        b.putInt(base + OFFSET_BACKEND_ID, backendId);
        b.putInt(base + OFFSET_VIP_ID, vipId);
    }

    /** The slot at {@code base}, or null if it is empty. */
    static FlowSlot decodeOrNull(ByteBuffer b, int base) {
        if (isEmpty(b, base)) {
            return null;
        }
        byte[] key = new byte[FlowKey.SIZE];
        b.get(base + OFFSET_KEY, key);
        return new FlowSlot(FlowKey.decode(key), b.getInt(base + OFFSET_BACKEND_ID), b.getInt(base + OFFSET_VIP_ID));
    }

    static boolean isEmpty(ByteBuffer b, int base) {
        return b.get(base + EMPTY_MARK_AT) == 0;
    }

    /** Whether the slot at {@code base} holds exactly this encoded key (no decoding: used per packet-sized scan). */
    static boolean holds(byte[] buffer, int base, byte[] encodedKey) {
        return Arrays.equals(buffer, base + OFFSET_KEY, base + OFFSET_KEY + FlowKey.SIZE, encodedKey, 0,
                FlowKey.SIZE);
    }
}
