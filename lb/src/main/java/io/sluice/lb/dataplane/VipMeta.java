package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;

/** struct sluice_vip_meta: what the VIP table holds for a VIP (see {@link VipTable}). */
public record VipMeta(int vipId, int flags) {

    public static final int SIZE = 8;
    public static final int OFFSET_VIP_ID = 0;
    public static final int OFFSET_FLAGS = 4;

    public VipMeta {
        Codec.requireVipId(vipId);
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        b.putInt(OFFSET_VIP_ID, vipId);
        b.putInt(OFFSET_FLAGS, flags);
        return b.array();
    }

    public static VipMeta decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_vip_meta");
        return new VipMeta(b.getInt(OFFSET_VIP_ID), b.getInt(OFFSET_FLAGS));
    }
}
