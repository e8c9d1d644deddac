package io.sluice.health;

import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;

/**
 * Sees every check result (for metrics and benchmarks). Called on the event loop that ran the
 * check: it must be quick and must never block.
 */
@FunctionalInterface
public interface CheckObserver {
    CheckObserver NONE = (target, spec, result) -> { };

    void onResult(Target target, CheckSpec spec, CheckResult result);
}
