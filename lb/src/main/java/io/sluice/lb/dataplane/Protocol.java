package io.sluice.lb.dataplane;

import java.util.Locale;

/** The layer-4 protocols a VIP can serve, with their IP protocol numbers. */
public enum Protocol {
    TCP(6),
    UDP(17);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IP protocol number (the value of IPv4 `protocol` / IPv6 `next header`). */
    public int number() {
        return number;
    }

    public static Protocol fromNumber(int number) {
        for (Protocol p : values()) {
            if (p.number == number) {
                return p;
            }
        }
        throw new IllegalArgumentException("not a protocol sluice balances: " + number);
    }

    /** Parses "tcp" / "udp" in any case; anything else is an IllegalArgumentException naming the input. */
    public static Protocol parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a protocol (expected tcp or udp)");
        }
    }
}
