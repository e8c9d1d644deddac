package io.sluice.health;

import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;

/**
 * One watch on a (possibly shared) check. The listener hears only transitions after the watch
 * began: read {@link #state()} for where things stand now.
 */
public interface CheckHandle extends AutoCloseable {
    Target target();

    CheckSpec spec();

    HealthState state();

    /** Null until the first run finished. */
    CheckResult lastResult();

    /** Epoch millis of the last state change. */
    long sinceMillis();

    /** Stops this watch; the check itself stops when its last watch closes. Idempotent. */
    @Override
    void close();
}
