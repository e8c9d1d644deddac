package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.LbConfigEntry;
import java.util.List;
import java.util.Objects;

/** Everything the data plane should hold: the global settings and the VIPs. Built from the config. */
public record DesiredState(LbConfigEntry settings, List<DesiredVip> vips) {
    public DesiredState {
        Objects.requireNonNull(settings, "settings");
        vips = List.copyOf(vips);
    }
}
