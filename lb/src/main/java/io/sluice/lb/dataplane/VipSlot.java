package io.sluice.lb.dataplane;

/** struct sluice_vip_slot: one VIP in a bucket of the VIP table (layout only; see {@link VipTable}). */
public final class VipSlot {
    public static final int SIZE = 32;
    public static final int OFFSET_CHECK = 0;
    public static final int OFFSET_META = 4;
    public static final int OFFSET_KEY = 12;

    private VipSlot() {}
}
