package io.sluice.health;

import io.sluice.health.check.CheckResult;
import io.sluice.health.state.HealthState;

/** What a stopped check leaves behind for a watch that comes back soon. */
record RetiredState(HealthState state, int streak, CheckResult lastResult, long sinceMillis) {
}
