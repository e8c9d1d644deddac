package io.sluice.lb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a VIP's draining backends end their drain (docs/drain.md).
 *
 * @param quietPeriod DRAINED once the balancer has sent the backend no packet for this long
 *                    (VIP key {@code drain_quiet_period}, default {@link #DEFAULT_QUIET_PERIOD})
 * @param timeout     DRAINED at the latest this long after the drain began, flows or not
 *                    (VIP key {@code drain_timeout}, default {@link #DEFAULT_TIMEOUT})
 */
public record DrainSettings(Duration quietPeriod, Duration timeout) {
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final DrainSettings DEFAULTS = new DrainSettings(DEFAULT_QUIET_PERIOD, DEFAULT_TIMEOUT);

    public DrainSettings {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(timeout, "timeout");
    }
}
