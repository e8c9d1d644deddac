package io.sluice.lb.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The top-level {@code bgp:} section: how sluiced tells the host's BGP speaker (BIRD) which VIPs to
 * announce (docs/bgp.md). sluiced never speaks BGP itself: it keeps one kernel route per announced
 * VIP address in {@code table}, through a TUN device it holds open ({@code device}); BIRD learns that
 * table and announces what it finds.
 *
 * @param enabled       false (or no section): sluiced touches no route and BIRD announces nothing of ours
 * @param device        the TUN device the VIP routes point at; it dies with the daemon's process
 * @param table         the kernel routing table the VIP routes live in (BIRD's kernel protocol learns it)
 * @param onCrash       what a crash of sluiced does to the announcements
 * @param hostStateFile where the operator's host drain survives a restart
 */
public record BgpConfig(boolean enabled, String device, int table, OnCrash onCrash, Path hostStateFile) {
    public static final String DEFAULT_DEVICE = "sluice-vips";
    public static final int DEFAULT_TABLE = 4242;
    /** Under the unit's StateDirectory, like the Consul cache. */
    public static final Path DEFAULT_HOST_STATE_FILE = Path.of("/var/lib/sluice/host-state.json");
    /** No section: nothing announced, nothing touched. */
    public static final BgpConfig DISABLED = new BgpConfig(false, DEFAULT_DEVICE, DEFAULT_TABLE, OnCrash.WITHDRAW,
            DEFAULT_HOST_STATE_FILE);

    /** What happens to the announcements when the daemon dies without a clean stop. */
    public enum OnCrash {
        /** The TUN device goes with the process, its routes with it, BIRD withdraws (a fleet: ECMP moves on). */
        WITHDRAW,
        /** The device is persistent: the VIPs stay announced until a restarted daemon decides (one LB host). */
        KEEP
    }

    public BgpConfig {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(onCrash, "onCrash");
        Objects.requireNonNull(hostStateFile, "hostStateFile");
    }
}
