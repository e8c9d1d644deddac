package io.sluice.health;

import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;

/**
 * One running check as the status output shows it.
 *
 * @param lastResult   null until the first run finished
 * @param sinceMillis  epoch millis of the last state change (or of the check's start)
 * @param watchers     how many watches share this check
 */
public record TargetStatus(Target target, CheckSpec spec, HealthState state, CheckResult lastResult,
                           long sinceMillis, int watchers) {
}
