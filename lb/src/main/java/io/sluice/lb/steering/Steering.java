package io.sluice.lb.steering;

import io.sluice.health.state.HealthState;
import io.sluice.health.state.SlowStart;
import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.drain.DrainState;
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
        return decide(vip, key, book, null, now);
    }

    /**
     * As above, with drain states: a DRAINING backend stays in service without new flows (its old
     * buckets name it as their previous owner), a DRAINED one is out, a FILLING one ramps from when
     * it returned (slow start).
     */
    public Decision decide(VipConfig vip, VipKey key, HealthBook book, DrainBook drains, Instant now) {
        List<DesiredBackend> eligible = new ArrayList<>();
        boolean ramping = false;
        boolean anyInRotation = false;
        for (BackendConfig backend : vip.backends()) {
            BackendRef ref = new BackendRef(key, backend.address());
            DrainState drain = drains == null ? DrainState.ACTIVE : drains.state(ref);
            Optional<BackendHealth> health = book.get(ref);
            boolean up = health.isEmpty() || health.get().state() == HealthState.UP;
            anyInRotation |= drain != DrainState.DRAINED;
            if (drain == DrainState.DRAINED || !up) {
                continue;
            }
            if (drain == DrainState.DRAINING) {
                eligible.add(new DesiredBackend(backend.address(), backend.weight(), true));
                continue;
            }
            Optional<Instant> rampStart = health.map(BackendHealth::since);
            Optional<Instant> filling = drains == null ? Optional.empty() : drains.fillingSince(ref);
            if (filling.isPresent() && (rampStart.isEmpty() || filling.get().isAfter(rampStart.get()))) {
                rampStart = filling;
            }
            boolean fillingNow = drain == DrainState.FILLING;
            if (rampStart.isEmpty()) {
                eligible.add(new DesiredBackend(backend.address(), backend.weight(), false, fillingNow));
                continue;
            }
            Duration sinceUp = Duration.between(rampStart.get(), now);
            boolean rampingNow = SlowStart.ramping(sinceUp, vip.slowStart()) && backend.weight() > 0;
            ramping |= rampingNow;
            eligible.add(new DesiredBackend(backend.address(),
                    SlowStart.rampedWeight(sinceUp, vip.slowStart(), backend.weight()), false, fillingNow || rampingNow,
                    backend.weight()));
        }
        if (eligible.isEmpty() && anyInRotation) {
            if (vip.whenAllDown() == AllDownPolicy.FAIL_CLOSED) {
                return new Decision(List.of(), true, false);
            }
            return new Decision(lastChosen.getOrDefault(key, configured(vip, key, drains)), true, false);
        }
        lastChosen.put(key, List.copyOf(eligible));
        return new Decision(eligible, false, ramping);
    }

    /** Forgets VIPs that are gone, so a VIP re-added later starts fresh. */
    public void retainOnly(java.util.Set<VipKey> vips) {
        lastChosen.keySet().retainAll(vips);
    }

    /** Fail-open's fallback: the configured backends, except those drained on purpose. */
    private static List<DesiredBackend> configured(VipConfig vip, VipKey key, DrainBook drains) {
        return vip.backends().stream()
                .filter(b -> drains == null || drains.state(new BackendRef(key, b.address())) != DrainState.DRAINED)
                .map(b -> new DesiredBackend(b.address(), b.weight())).toList();
    }
}
