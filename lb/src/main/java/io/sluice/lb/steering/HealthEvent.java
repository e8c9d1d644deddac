package io.sluice.lb.steering;

import io.sluice.health.check.CheckResult;
import io.sluice.health.state.HealthState;

/** A transition reported by the engine, handed to the daemon's thread to apply. */
public record HealthEvent(BackendRef backend, HealthState from, HealthState to, CheckResult result) {
}
