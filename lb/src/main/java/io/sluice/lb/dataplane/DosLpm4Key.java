package io.sluice.lb.dataplane;

/** Layout of struct sluice_dos_lpm4 (encoded by {@link LpmPrefix}). */
public final class DosLpm4Key {
    public static final int SIZE = 8;
    public static final int OFFSET_PREFIXLEN = 0;
    public static final int OFFSET_ADDR = 4;

    private DosLpm4Key() {}
}
