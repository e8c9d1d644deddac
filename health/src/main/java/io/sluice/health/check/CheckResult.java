package io.sluice.health.check;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of one check run.
 *
 * @param passed    whether the backend answered as expected
 * @param startedAt wall-clock time the run started
 * @param latency   time from start to verdict (the timeout for a run that timed out)
 * @param detail    what happened, e.g. "HTTP 200", "connection refused", "timed out after 1000 ms"
 */
public record CheckResult(boolean passed, Instant startedAt, Duration latency, String detail) {
    public CheckResult {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(detail, "detail");
    }
}
