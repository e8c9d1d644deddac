package io.sluice.lb.bgp;

import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which VIP addresses this host should announce, and why not for the others. BGP announces
 * addresses, not ports: an address is announced while at least one of its VIPs (address, port,
 * protocol) has a backend to send new flows to, so a dead :443 never takes a healthy :80 down.
 */
public final class AnnouncePolicy {
    /** Why an address is or is not announced (the status, metrics and log word). */
    public enum Verdict {
        ANNOUNCED("announced"),
        HOST_DRAINED("host_drained"),
        DETACHED("detached"),
        NO_HEALTHY_BACKEND("no_healthy_backend");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private AnnouncePolicy() {
    }

    /**
     * @param vips        every configured VIP
     * @param serving     the VIPs that have a backend for new flows after the last reconcile
     * @param attached    whether the balancer program is attached to the interface
     * @param hostDrained whether the operator drained this LB host
     * @return every VIP address, in config order, with its verdict
     */
    public static Map<InetAddress, Verdict> decide(Collection<VipConfig> vips, Set<VipKey> serving, boolean attached,
                                                   boolean hostDrained) {
        Map<InetAddress, Verdict> verdicts = new LinkedHashMap<>();
        for (VipConfig vip : vips) {
            InetAddress address = vip.key().address();
            Verdict verdict = hostDrained ? Verdict.HOST_DRAINED : !attached ? Verdict.DETACHED
                    : serving.contains(vip.key()) ? Verdict.ANNOUNCED : Verdict.NO_HEALTHY_BACKEND;
            verdicts.merge(address, verdict, (a, b) -> a == Verdict.ANNOUNCED || b == Verdict.ANNOUNCED
                    ? Verdict.ANNOUNCED : a);
        }
        return verdicts;
    }
}
