package io.sluice.lb.config;

import io.sluice.lb.dataplane.DosRate;
import java.util.List;
import java.util.Objects;

/**
 * A VIP's own DoS settings (its `dos:` key).
 *
 * @param newFlows        VIP-wide ceiling of new flows/s over all sources; rate 0 = none
 * @param passFragments   true: fragments to the VIP go to the host stack; false (default): dropped
 * @param reflectionPorts UDP source ports this VIP accepts although they are on dos.reflection_ports
 */
public record VipDosConfig(DosRate newFlows, boolean passFragments, List<Integer> reflectionPorts) {
    public static final VipDosConfig DEFAULT = new VipDosConfig(DosRate.NONE, false, List.of());

    public VipDosConfig {
        Objects.requireNonNull(newFlows, "newFlows");
        reflectionPorts = List.copyOf(reflectionPorts);
    }
}
