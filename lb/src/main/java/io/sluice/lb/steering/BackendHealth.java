package io.sluice.lb.steering;

import io.sluice.health.check.CheckResult;
import io.sluice.health.state.HealthState;
import java.time.Instant;
import java.util.Objects;

/**
 * What the daemon knows of a checked backend.
 *
 * @param since      when it entered its state (for UP: when slow start began)
 * @param lastResult the result that caused the last transition, null before any
 */
public record BackendHealth(HealthState state, Instant since, CheckResult lastResult) {
    public BackendHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
    }
}
