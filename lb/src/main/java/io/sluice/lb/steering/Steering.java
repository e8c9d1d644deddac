package io.sluice.lb.steering;

import io.sluice.health.state.HealthState;
import io.sluice.health.state.SlowStart;
import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.reconcile.DesiredBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which backends of a VIP take new flows, from health and slow start.
 *
 * <ul>
 *   <li>A backend that is DOWN leaves the VIP: its id is freed, so flows the flow table still
 *       pins to it are re-chosen by the new table on their next packet (never sent to the dead
 *       server); flows on other backends stay where they are.</li>
 *   <li>A backend that is UP for less than the VIP's slow_start gets a weight ramped from 1 up to
 *       its own.</li>
 *   <li>When every backend is DOWN, fail-open keeps the VIP's last backends (raising the alert),
 *       fail-closed removes its table.</li>
 * </ul>
 *
 * <p>Owned by the daemon's thread. Remembers the last backends chosen per VIP for fail-open.
 */
public final class Steering {
    /** The backends a VIP gets now, whether all its checked backends are down, and whether a ramp is on. */
    public record Decision(List<DesiredBackend> backends, boolean allDown, boolean ramping) {
        public Decision {
            backends = List.copyOf(backends);
        }
    }

    private final Map<VipKey, List<DesiredBackend>> lastChosen = new HashMap<>();

    public Decision decide(VipConfig vip, VipKey key, HealthBook book, Instant now) {
        List<DesiredBackend> eligible = new ArrayList<>();
        boolean ramping = false;
        for (BackendConfig backend : vip.backends()) {
            Optional<BackendHealth> health = book.get(new BackendRef(key, backend.address()));
            if (health.isEmpty()) {
                eligible.add(new DesiredBackend(backend.address(), backend.weight()));
                continue;
            }
            if (health.get().state() != HealthState.UP) {
                continue;
            }
            Duration sinceUp = Duration.between(health.get().since(), now);
            ramping |= SlowStart.ramping(sinceUp, vip.slowStart()) && backend.weight() > 0;
            eligible.add(new DesiredBackend(backend.address(),
                    SlowStart.rampedWeight(sinceUp, vip.slowStart(), backend.weight())));
        }
        if (eligible.isEmpty() && !vip.backends().isEmpty()) {
            if (vip.whenAllDown() == AllDownPolicy.FAIL_CLOSED) {
                return new Decision(List.of(), true, false);
            }
            return new Decision(lastChosen.getOrDefault(key, configured(vip)), true, false);
        }
        lastChosen.put(key, List.copyOf(eligible));
        return new Decision(eligible, false, ramping);
    }

    /** Forgets VIPs that are gone, so a VIP re-added later starts fresh. */
    public void retainOnly(java.util.Set<VipKey> vips) {
        lastChosen.keySet().retainAll(vips);
    }

    private static List<DesiredBackend> configured(VipConfig vip) {
        return vip.backends().stream().map(b -> new DesiredBackend(b.address(), b.weight())).toList();
    }
}
