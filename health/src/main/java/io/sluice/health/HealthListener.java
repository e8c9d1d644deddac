package io.sluice.health;

import io.sluice.health.check.CheckResult;
import io.sluice.health.state.HealthState;

/**
 * Told when a watched target changes state. Called on the engine's single listener thread
 * ("sluice-health-listener"), in the order the transitions happened, never on an event loop, so a
 * listener may take its time (e.g. rebuild a Maglev table) without delaying any check.
 */
@FunctionalInterface
public interface HealthListener {
    void onChange(Target target, HealthState oldState, HealthState newState, CheckResult lastResult);
}
