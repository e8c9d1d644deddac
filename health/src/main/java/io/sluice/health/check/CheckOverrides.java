package io.sluice.health.check;

import io.sluice.health.state.HealthState;
import java.time.Duration;

/**
 * A backend's own check settings; every null field inherits the VIP default
 * (see {@link CheckSpec#withOverrides}).
 */
public record CheckOverrides(CheckKind kind, Duration interval, Duration timeout, Integer rise,
                             Integer fall, Duration fastInterval, Duration downInterval,
                             Integer jitterPercent, HealthState initialState) {

    private static final CheckOverrides NONE =
            new CheckOverrides(null, null, null, null, null, null, null, null, null);

    public static CheckOverrides none() {
        return NONE;
    }

    public CheckOverrides withKind(CheckKind value) {
        return new CheckOverrides(value, interval, timeout, rise, fall, fastInterval, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withInterval(Duration value) {
        return new CheckOverrides(kind, value, timeout, rise, fall, fastInterval, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withTimeout(Duration value) {
        return new CheckOverrides(kind, interval, value, rise, fall, fastInterval, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withRise(Integer value) {
        return new CheckOverrides(kind, interval, timeout, value, fall, fastInterval, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withFall(Integer value) {
        return new CheckOverrides(kind, interval, timeout, rise, value, fastInterval, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withFastInterval(Duration value) {
        return new CheckOverrides(kind, interval, timeout, rise, fall, value, downInterval, jitterPercent, initialState);
    }

    public CheckOverrides withDownInterval(Duration value) {
        return new CheckOverrides(kind, interval, timeout, rise, fall, fastInterval, value, jitterPercent, initialState);
    }

    public CheckOverrides withJitterPercent(Integer value) {
        return new CheckOverrides(kind, interval, timeout, rise, fall, fastInterval, downInterval, value, initialState);
    }

    public CheckOverrides withInitialState(HealthState value) {
        return new CheckOverrides(kind, interval, timeout, rise, fall, fastInterval, downInterval, jitterPercent, value);
    }
}
