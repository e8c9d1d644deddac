package io.sluice.lb.consul;

import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The TTL verdict of every registered VIP: passing while the program is attached and the VIP's
 * table has a healthy backend taking new flows; critical otherwise, with the reason as the note.
 */
public final class Verdicts {
    private Verdicts() {
    }

    /**
     * @param applied the state last written to the maps (null before the first reconcile)
     * @param allDown VIPs whose checked backends are all DOWN (fail-open keeps them in the table)
     */
    public static Map<String, Serving> of(SluiceConfig config, DesiredState applied, Set<VipKey> allDown,
                                          boolean attached, String interfaceName) {
        return of(config, applied, allDown, Set.of(), attached, interfaceName);
    }

    /** @param consulAllFailing VIPs whose discovered instances all fail in Consul (fail-open keeps the last) */
    public static Map<String, Serving> of(SluiceConfig config, DesiredState applied, Set<VipKey> allDown,
                                          Set<String> consulAllFailing, boolean attached, String interfaceName) {
        Map<String, Serving> verdicts = new HashMap<>();
        for (VipConfig vip : config.vips()) {
            if (vip.consul().isEmpty()) {
                continue;
            }
            Serving v = verdict(vip, applied, allDown, attached, interfaceName);
            if (v.passing() && consulAllFailing.contains(vip.name())) {
                v = Serving.failing("every Consul instance of " + vip.discovery().map(d -> d.service()).orElse("?")
                        + " is failing (when_all_down: fail_open keeps the last " + vip.backends().size() + ")");
            }
            verdicts.put(vip.name(), v);
        }
        return verdicts;
    }

    private static Serving verdict(VipConfig vip, DesiredState applied, Set<VipKey> allDown, boolean attached,
                                   String interfaceName) {
        if (!attached) {
            return Serving.failing("the XDP program is not attached to " + interfaceName);
        }
        if (applied == null) {
            return Serving.failing("no reconcile has succeeded yet");
        }
        DesiredVip desired = applied.vips().stream().filter(v -> v.key().equals(vip.key())).findFirst().orElse(null);
        if (desired == null) {
            return Serving.failing("the VIP is not in the data plane");
        }
        if (allDown.contains(vip.key())) {
            return Serving.failing("all " + vip.backends().size() + " backends are down");
        }
        long taking = desired.backends().stream().filter(b -> b.weight() > 0).count();
        if (taking == 0) {
            return Serving.failing(desired.backends().isEmpty() ? "the VIP has no backends"
                    : "no backend takes new flows (all drained or weight 0)");
        }
        return Serving.passing("attached to " + interfaceName + "; " + taking + " of " + vip.backends().size()
                + " backends take new flows");
    }
}
