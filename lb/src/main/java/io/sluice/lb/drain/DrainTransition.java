package io.sluice.lb.drain;

import io.sluice.lb.steering.BackendRef;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One change of a backend's drain state, for the event log and the metrics.
 *
 * @param to          null when the backend left the config (removed)
 * @param reason      why: config, undrain, joined, health_up, filled, quiet, timeout, health_down, startup, removed
 * @param drainedFor  for a drain that ended: how long it lasted
 * @param flowEntries for a drain that ended: flow-cache entries still naming the backend (an upper
 *                    bound of its live flows the balancer knows: closed flows stay until evicted)
 */
public record DrainTransition(BackendRef backend, DrainState from, DrainState to, String reason,
                              Duration drainedFor, OptionalLong flowEntries) {
    public DrainTransition {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(flowEntries, "flowEntries");
    }

    public static DrainTransition of(BackendRef backend, DrainState from, DrainState to, String reason) {
        return new DrainTransition(backend, from, to, reason, null, OptionalLong.empty());
    }

    public String toLabel() {
        return to == null ? "removed" : to.label();
    }

    public String fromLabel() {
        return from == null ? "new" : from.label();
    }
}
