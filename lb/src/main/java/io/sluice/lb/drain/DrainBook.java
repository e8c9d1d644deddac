package io.sluice.lb.drain;

import io.sluice.health.state.HealthState;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.DrainSettings;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.steering.BackendHealth;
import io.sluice.lb.steering.BackendRef;
import io.sluice.lb.steering.HealthBook;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The drain state of every backend of every VIP, and the rules that move it:
 *
 * <ul>
 *   <li>config {@code drain: true}: ACTIVE/FILLING -> DRAINING; {@code drain: false} again:
 *       DRAINING/DRAINED -> FILLING, for the VIP's slow_start but at least {@link #MIN_FILL};</li>
 *   <li>a draining backend whose health check goes DOWN -> DRAINED at once (reason health_down):
 *       its flows have nowhere to finish, so they are re-chosen like any DOWN backend's, and it
 *       stays DRAINED if it comes back UP (undrain it to return it);</li>
 *   <li>DRAINING -> DRAINED when the balancer has sent it no packet for the VIP's quiet period
 *       (reason quiet), or at the VIP's drain timeout (reason timeout);</li>
 *   <li>a backend that joins a running VIP, or whose health check comes back UP, is FILLING the
 *       same way; FILLING -> ACTIVE when the period is over.</li>
 * </ul>
 *
 * <p>A daemon that starts (or restarts) finds backends in the config: drain: true ones still in the
 * data plane resume DRAINING, those no longer in it are DRAINED (reason startup). What the previous
 * daemon last wrote in its status (PreviousDrains) keeps the clocks: a backend it had DRAINING
 * resumes DRAINING from when that drain began (reason resumed: the timeout counts from then; the
 * quiet period from this start, as packets before it were not watched), and one it had FILLING,
 * still in the data plane and within its fill period, resumes FILLING from when the fill began
 * (reason resumed: its slow start goes on where it was, and the buckets it takes keep their
 * previous owners). One it had DRAINING that the config no longer drains is FILLING from now
 * (reason undrain), as that undrain would have made it without the restart. All others are
 * ACTIVE, so a restart changes no table. Owned by the daemon's thread.
 */
public final class DrainBook {
    private static final class Entry {
        DrainState state;
        Instant since;
        Instant drainStart;
        Instant lastActivity;
        long lastPackets = -1;
        String detail;

        Entry(DrainState state, Instant since) {
            this.state = state;
            this.since = since;
        }
    }

    /** The shortest FILLING period (with no slow start, or a shorter one). */
    public static final Duration MIN_FILL = Duration.ofSeconds(10);

    private final Map<BackendRef, Entry> entries = new HashMap<>();
    private final Set<BackendRef> inDataplaneAtStart;
    private final Map<BackendRef, PreviousDrains.Recorded> recordedAtStart;
    private boolean started;

    /** @param inDataplaneAtStart the backends the maps held when the daemon started (adopted data plane) */
    public DrainBook(Set<BackendRef> inDataplaneAtStart) {
        this(inDataplaneAtStart, Map.of());
    }

    /**
     * @param inDataplaneAtStart the backends the maps held when the daemon started (adopted data plane)
     * @param recordedAtStart    backends the previous daemon had FILLING or DRAINING, and since when
     *                           (its status file)
     */
    public DrainBook(Set<BackendRef> inDataplaneAtStart, Map<BackendRef, PreviousDrains.Recorded> recordedAtStart) {
        this.inDataplaneAtStart = Set.copyOf(inDataplaneAtStart);
        this.recordedAtStart = Map.copyOf(recordedAtStart);
    }

    public DrainState state(BackendRef ref) {
        Entry e = entries.get(ref);
        return e == null ? DrainState.ACTIVE : e.state;
    }

    /** When the backend entered its state, if the book knows it. */
    public Optional<Instant> since(BackendRef ref) {
        return Optional.ofNullable(entries.get(ref)).map(e -> e.since);
    }

    /** Why the backend is in its state, e.g. "config", "quiet after 17s", "timeout after 600s, 42 flow-cache entries". */
    public Optional<String> detail(BackendRef ref) {
        return Optional.ofNullable(entries.get(ref)).map(e -> e.detail);
    }

    /** When a FILLING backend's ramp began (slow start runs from there). */
    public Optional<Instant> fillingSince(BackendRef ref) {
        Entry e = entries.get(ref);
        return e != null && e.state == DrainState.FILLING ? Optional.of(e.since) : Optional.empty();
    }

    public boolean anyDraining() {
        return entries.values().stream().anyMatch(e -> e.state == DrainState.DRAINING);
    }

    /** Some backend ramps back in: the daemon reconciles every refresh until FILLING ends. */
    public boolean anyFilling() {
        return entries.values().stream().anyMatch(e -> e.state == DrainState.FILLING);
    }

    /** The draining backends, with the VIP settings that end their drain. */
    public Set<BackendRef> draining() {
        Set<BackendRef> refs = new HashSet<>();
        entries.forEach((ref, e) -> {
            if (e.state == DrainState.DRAINING) {
                refs.add(ref);
            }
        });
        return refs;
    }

    /** Applies the config's drain flags and the health book; forgets backends that left the config. */
    public List<DrainTransition> observe(List<VipConfig> vips, HealthBook health, Instant now) {
        List<DrainTransition> changes = new ArrayList<>();
        Set<BackendRef> seen = new HashSet<>();
        for (VipConfig vip : vips) {
            for (BackendConfig backend : vip.backends()) {
                BackendRef ref = new BackendRef(vip.key(), backend.address());
                seen.add(ref);
                observeOne(ref, vip, backend, health.get(ref), now, changes);
            }
        }
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!seen.contains(e.getKey())) {
                changes.add(DrainTransition.of(e.getKey(), e.getValue().state, null, "removed"));
                it.remove();
            }
        }
        started = true;
        return changes;
    }

    private void observeOne(BackendRef ref, VipConfig vip, BackendConfig backend, Optional<BackendHealth> health,
                            Instant now, List<DrainTransition> changes) {
        Entry e = entries.get(ref);
        if (e == null) {
            DrainState first;
            String reason;
            Instant since = now;
            Optional<Instant> resumed = started ? Optional.empty() : resumedSince(ref, vip, backend, now);
            if (resumed.isPresent()) {
                first = backend.drain() ? DrainState.DRAINING : DrainState.FILLING;
                reason = "resumed";
                since = resumed.get();
            } else if (!started && undrainedWhileDown(ref, backend)) {
                first = DrainState.FILLING;
                reason = "undrain";
            } else if (!started) {
                first = !backend.drain() ? DrainState.ACTIVE
                        : inDataplaneAtStart.contains(ref) ? DrainState.DRAINING : DrainState.DRAINED;
                reason = "startup";
            } else {
                first = backend.drain() ? DrainState.DRAINED : DrainState.FILLING;
                reason = "joined";
            }
            e = new Entry(first, since);
            e.detail = reason;
            if (first == DrainState.DRAINING) {
                startDrain(e, since, now);
            }
            entries.put(ref, e);
            if (started || first != DrainState.ACTIVE) {
                changes.add(DrainTransition.of(ref, null, first, reason));
            }
            return;
        }
        boolean down = health.map(h -> h.state() == HealthState.DOWN).orElse(false);
        if (backend.drain()) {
            if (e.state.takesNewFlows()) {
                move(ref, e, DrainState.DRAINING, "config", now, changes);
                startDrain(e, now, now);
            }
            if (e.state == DrainState.DRAINING && down) {
                endDrain(ref, e, "health_down", now, OptionalLong.empty(), changes);
            }
            return;
        }
        Optional<Instant> cameUp = health.filter(h -> h.state() == HealthState.UP).map(BackendHealth::since);
        if (!e.state.takesNewFlows()) {
            move(ref, e, DrainState.FILLING, "undrain", now, changes);
        } else if (e.state == DrainState.ACTIVE && cameUp.isPresent() && cameUp.get().isAfter(e.since)
                && now.isBefore(cameUp.get().plus(fillPeriod(vip)))) {
            // Back from DOWN: it refills the buckets it had, like a returning backend.
            move(ref, e, DrainState.FILLING, "health_up", cameUp.get(), changes);
        } else if (e.state == DrainState.FILLING && !now.isBefore(e.since.plus(fillPeriod(vip)))) {
            move(ref, e, DrainState.ACTIVE, "filled", now, changes);
        }
    }

    /**
     * When the state the previous daemon recorded for a backend began, if this start resumes it:
     * a drain the config still asks for, or a fill it does not, of a backend the data plane still
     * holds, with a start not in the future (a clock set back restarts it instead), and for a fill,
     * within its fill period.
     */
    private Optional<Instant> resumedSince(BackendRef ref, VipConfig vip, BackendConfig backend, Instant now) {
        PreviousDrains.Recorded recorded = recordedAtStart.get(ref);
        if (recorded == null || !inDataplaneAtStart.contains(ref) || recorded.since().isAfter(now)) {
            return Optional.empty();
        }
        boolean resumes = backend.drain()
                ? recorded.state() == DrainState.DRAINING
                : recorded.state() == DrainState.FILLING && now.isBefore(recorded.since().plus(fillPeriod(vip)));
        return resumes ? Optional.of(recorded.since()) : Optional.empty();
    }

    /**
     * The previous daemon had the backend DRAINING (so it is in service, out of the table) and the
     * config no longer drains it: it refills from now, as an undrain while running would make it.
     */
    private boolean undrainedWhileDown(BackendRef ref, BackendConfig backend) {
        PreviousDrains.Recorded recorded = recordedAtStart.get(ref);
        return !backend.drain() && recorded != null && recorded.state() == DrainState.DRAINING
                && inDataplaneAtStart.contains(ref);
    }

    /**
     * How long a joining or returning backend is FILLING: its slow start, and at least
     * {@link #MIN_FILL}, during which the buckets it takes name their owner without it as
     * previous owner (handshakes in flight, flows remembered by another CPU or LB host stay).
     */
    public static Duration fillPeriod(VipConfig vip) {
        return vip.slowStart().compareTo(MIN_FILL) > 0 ? vip.slowStart() : MIN_FILL;
    }

    /**
     * Ends drains that are over: no packet for the quiet period, or the timeout reached.
     *
     * @param packets     packets the balancer sent the backend so far (empty if it has no id)
     * @param flowEntries flow-cache entries naming the backend (read only when a drain times out)
     */
    public List<DrainTransition> sample(Map<BackendRef, DrainSettings> settings,
                                        Function<BackendRef, OptionalLong> packets,
                                        ToLongFunction<BackendRef> flowEntries, Instant now) {
        List<DrainTransition> changes = new ArrayList<>();
        for (Map.Entry<BackendRef, Entry> item : entries.entrySet()) {
            Entry e = item.getValue();
            DrainSettings drain = settings.get(item.getKey());
            if (e.state != DrainState.DRAINING || drain == null) {
                continue;
            }
            OptionalLong p = packets.apply(item.getKey());
            if (p.isPresent() && p.getAsLong() != e.lastPackets) {
                if (e.lastPackets >= 0) {
                    e.lastActivity = now;
                }
                e.lastPackets = p.getAsLong();
            }
            if (!now.isBefore(e.lastActivity.plus(drain.quietPeriod()))) {
                endDrain(item.getKey(), e, "quiet", now, OptionalLong.of(flowEntries.applyAsLong(item.getKey())),
                        changes);
            } else if (!now.isBefore(e.drainStart.plus(drain.timeout()))) {
                endDrain(item.getKey(), e, "timeout", now, OptionalLong.of(flowEntries.applyAsLong(item.getKey())),
                        changes);
            }
        }
        return changes;
    }

    /** The timeout counts from {@code began}; the quiet period from {@code now}, when watching starts. */
    private static void startDrain(Entry e, Instant began, Instant now) {
        e.drainStart = began;
        e.lastActivity = now;
        e.lastPackets = -1;
    }

    private static void endDrain(BackendRef ref, Entry e, String reason, Instant now, OptionalLong flows,
                                 List<DrainTransition> changes) {
        Duration lasted = Duration.between(e.drainStart, now);
        changes.add(new DrainTransition(ref, e.state, DrainState.DRAINED, reason, lasted, flows));
        e.state = DrainState.DRAINED;
        e.since = now;
        e.detail = reason + " after " + lasted.toSeconds() + "s"
                + (flows.isPresent() ? ", " + flows.getAsLong() + " flow-cache entries" : "");
    }

    private static void move(BackendRef ref, Entry e, DrainState to, String reason, Instant now,
                             List<DrainTransition> changes) {
        changes.add(DrainTransition.of(ref, e.state, to, reason));
        e.state = to;
        e.since = now;
        e.detail = reason;
    }
}
