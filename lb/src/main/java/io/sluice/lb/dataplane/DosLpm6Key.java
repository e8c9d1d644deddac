package io.sluice.lb.dataplane;

/** Layout of struct sluice_dos_lpm6 (encoded by {@link LpmPrefix}). */
public final class DosLpm6Key {
    public static final int SIZE = 20;
    public static final int OFFSET_PREFIXLEN = 0;
    public static final int OFFSET_ADDR = 4;

    private DosLpm6Key() {}
}
