package io.sluice.lb.consul;

/**
 * What a VIP's TTL check should say: passing while the program is attached and the VIP has a
 * healthy backend, critical otherwise; the note (the check's output in Consul) says why.
 */
public record Serving(boolean passing, String note) {
    public static Serving passing(String note) {
        return new Serving(true, note);
    }

    public static Serving failing(String note) {
        return new Serving(false, note);
    }
}
