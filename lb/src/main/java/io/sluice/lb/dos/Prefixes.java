package io.sluice.lb.dos;

import io.sluice.lb.dataplane.LpmPrefix;
import java.util.Collection;

/** Prefix containment, bit by bit (IPv4 and IPv6 never contain each other). */
final class Prefixes {
    private Prefixes() {}

    /** True if every address of {@code inner} is inside {@code outer}. */
    static boolean covers(LpmPrefix outer, LpmPrefix inner) {
        byte[] a = outer.network().getAddress();
        byte[] b = inner.network().getAddress();
        if (a.length != b.length || outer.length() > inner.length()) {
            return false;
        }
        for (int bit = 0; bit < outer.length(); bit++) {
            int mask = 0x80 >>> (bit % Byte.SIZE);
            if ((a[bit / Byte.SIZE] & mask) != (b[bit / Byte.SIZE] & mask)) {
                return false;
            }
        }
        return true;
    }

    static boolean anyCovers(Collection<LpmPrefix> outers, LpmPrefix inner) {
        return outers.stream().anyMatch(o -> covers(o, inner));
    }
}
