package io.sluice.lb.dataplane;

/** struct sluice_vip_bucket: SLUICE_VIP_WAYS slots, the value of the {@code vips} array (layout only). */
public final class VipBucket {
    public static final int SIZE = DataplaneAbi.VIP_WAYS * VipSlot.SIZE;
    public static final int OFFSET_SLOT = 0;

    private VipBucket() {}
}
