package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * struct sluice_flow_slot: one remembered flow in a flow-cache bucket. The check member is not
 * a component: it is derived from the key's flow hash and the backend when the slot is encoded,
 * as the program stores it.
 */
public record FlowSlot(FlowKey key, int backendId, int vipId) {

    public static final int SIZE = 48;
    public static final int OFFSET_KEY = 0;
    public static final int OFFSET_BACKEND_ID = 40;
    public static final int OFFSET_VIP_ID = 44;
    public static final int OFFSET_CHECK = 46;

    private static final int CHECK_SHIFT = 16;
    private static final int U16_MASK = 0xffff;

    /** An empty slot has family 0 in its key; the program never writes a key without a family. */
    static final int EMPTY_MARK_AT = OFFSET_KEY + FlowKey.OFFSET_FAMILY;

    public FlowSlot {
        Objects.requireNonNull(key, "key");
        Codec.requireVipId(vipId);
    }

    /** The check the program stores and requires: flow_check() in flow_cache.h. */
    public static int check(int flowHash, int packedBackend) {
        return ((flowHash >>> CHECK_SHIFT) ^ packedBackend) & U16_MASK;
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
        byte[] encodedKey = key.encode();
        b.put(base + OFFSET_KEY, encodedKey);
        b.putInt(base + OFFSET_BACKEND_ID, backendId);
        b.putShort(base + OFFSET_VIP_ID, (short) vipId);
        b.putShort(base + OFFSET_CHECK, (short) check(FlowHash.hash(encodedKey), backendId));
    }

    /** The slot at {@code base}, or null if it is empty. */
    static FlowSlot decodeOrNull(ByteBuffer b, int base) {
        if (isEmpty(b, base)) {
            return null;
        }
        byte[] key = new byte[FlowKey.SIZE];
        b.get(base + OFFSET_KEY, key);
        return new FlowSlot(FlowKey.decode(key), b.getInt(base + OFFSET_BACKEND_ID),
                Short.toUnsignedInt(b.getShort(base + OFFSET_VIP_ID)));
    }

    /** Whether the slot at {@code base} passes the check the program requires of a hit (flow_slot_backend). */
    static boolean checkHolds(ByteBuffer b, int base, int flowHash) {
        return Short.toUnsignedInt(b.getShort(base + OFFSET_CHECK)) == check(flowHash, b.getInt(base + OFFSET_BACKEND_ID));
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
