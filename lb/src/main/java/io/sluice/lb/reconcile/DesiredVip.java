package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.VipKey;
import java.util.List;
import java.util.Objects;

/** A VIP as the operator wants it: its key, its Maglev table size and its backends. */
public record DesiredVip(String name, VipKey key, int tableSize, List<DesiredBackend> backends) {
    public DesiredVip {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        backends = List.copyOf(backends);
    }
}
