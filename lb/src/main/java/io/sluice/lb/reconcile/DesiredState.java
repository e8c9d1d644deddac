package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.LbConfigEntry;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Everything the data plane should hold: the global settings and the VIPs. Built from the config. */
public record DesiredState(LbConfigEntry settings, List<DesiredVip> vips) {
    public DesiredState {
        Objects.requireNonNull(settings, "settings");
        vips = List.copyOf(vips);
    }

    /** Every backend address some VIP uses, in first-seen order. */
    public Set<InetAddress> backendAddresses() {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        for (DesiredVip vip : vips) {
            for (DesiredBackend backend : vip.backends()) {
                addresses.add(backend.address());
            }
        }
        return addresses;
    }
}
