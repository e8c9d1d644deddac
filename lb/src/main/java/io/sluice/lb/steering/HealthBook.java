package io.sluice.lb.steering;

import io.sluice.health.state.HealthState;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The health of every checked backend, as the daemon's thread has applied it. Backends without a
 * check are not in the book: they are always eligible.
 *
 * <p>Owned by the daemon's thread (events reach it through the daemon's queue, in order), so it
 * needs no locking and a reconcile always sees one consistent picture.
 */
public final class HealthBook {
    private final Map<BackendRef, BackendHealth> entries = new HashMap<>();

    /** Starts tracking a backend in the given state (what the engine was told to assume). */
    public void track(BackendRef backend, HealthState initial, Instant now) {
        entries.putIfAbsent(backend, new BackendHealth(initial, now, null));
    }

    /** Stops tracking backends that are no longer checked. */
    public void retainOnly(Set<BackendRef> checked) {
        entries.keySet().retainAll(checked);
    }

    /** Applies a transition; returns false if the backend is not tracked or already in that state. */
    public boolean apply(HealthEvent event, Instant now) {
        BackendHealth current = entries.get(event.backend());
        if (current == null || current.state() == event.to()) {
            return false;
        }
        entries.put(event.backend(), new BackendHealth(event.to(), now, event.result()));
        return true;
    }

    public Optional<BackendHealth> get(BackendRef backend) {
        return Optional.ofNullable(entries.get(backend));
    }

    public boolean isTracked(BackendRef backend) {
        return entries.containsKey(backend);
    }
}
