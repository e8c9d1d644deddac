package io.sluice.lb.consul;

/**
 * The service meta keys sluiced sets on each VIP it registers, read back by `sluice fleet check`
 * (docs/consul.md). Renaming one breaks the check against hosts that run another version.
 */
public final class RegistrationMeta {
    /** The LB host's name (HostName): which host a registration belongs to. */
    public static final String HOST = "lb_host";
    /** The VIP's name in the host's config. */
    public static final String VIP = "sluice_vip";
    public static final String VERSION = "sluice_version";
    public static final String PROTOCOL = "protocol";
    /** The VIP's table fingerprint (io.sluice.lb.reconcile.TableFingerprint). */
    public static final String TABLE_FINGERPRINT = "table_fingerprint";

    private RegistrationMeta() {
    }
}
