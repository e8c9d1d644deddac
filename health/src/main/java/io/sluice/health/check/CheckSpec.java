package io.sluice.health.check;

import io.sluice.health.state.HealthState;
import java.time.Duration;
import java.util.Objects;

/**
 * A fully resolved check: what to probe and how often. Two watches with equal specs (ignoring
 * {@code initialState}) on the same target share one running check.
 *
 * @param kind          protocol and its settings
 * @param interval      time between check starts while the state is stable and UP
 * @param timeout       a run that has no verdict by then fails (connect, TLS, response, process)
 * @param rise          consecutive passes that bring a DOWN target UP
 * @param fall          consecutive failures that bring an UP target DOWN
 * @param fastInterval  interval while the state is changing (UP with failures, DOWN with passes)
 * @param downInterval  interval while the target is DOWN and nothing is changing
 * @param jitterPercent each delay is moved randomly by up to this share of itself, either way
 * @param initialState  state before the first verdict; only the first watcher's value counts
 */
public record CheckSpec(CheckKind kind, Duration interval, Duration timeout, int rise, int fall,
                        Duration fastInterval, Duration downInterval, int jitterPercent,
                        HealthState initialState) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_FAST_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final int DEFAULT_JITTER_PERCENT = 10;
    /** Beyond half the interval, jitter could make two runs start almost back to back. */
    public static final int MAX_JITTER_PERCENT = 50;

    public CheckSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(initialState, "initialState");
        requirePositive(interval, "interval");
        requirePositive(timeout, "timeout");
        requirePositive(fastInterval, "fastInterval");
        requirePositive(downInterval, "downInterval");
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
        if (jitterPercent < 0 || jitterPercent > MAX_JITTER_PERCENT) {
            throw new IllegalArgumentException("jitter must be 0.." + MAX_JITTER_PERCENT + " percent");
        }
    }

    /** Defaults modelled on HAProxy (inter 2s, rise 2, fall 3) with a new backend starting DOWN. */
    public static CheckSpec defaults(CheckKind kind) {
        return new CheckSpec(kind, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RISE, DEFAULT_FALL,
                DEFAULT_FAST_INTERVAL, DEFAULT_INTERVAL, DEFAULT_JITTER_PERCENT, HealthState.DOWN);
    }

    public static CheckSpec tcp() {
        return defaults(new TcpCheck());
    }

    /** The VIP default with a backend's own settings laid over it; unset override fields inherit. */
    public CheckSpec withOverrides(CheckOverrides overrides) {
        return new CheckSpec(
                pick(overrides.kind(), kind),
                pick(overrides.interval(), interval),
                pick(overrides.timeout(), timeout),
                pick(overrides.rise(), rise),
                pick(overrides.fall(), fall),
                pick(overrides.fastInterval(), fastInterval),
                pick(overrides.downInterval(), downInterval),
                pick(overrides.jitterPercent(), jitterPercent),
                pick(overrides.initialState(), initialState));
    }

    public CheckSpec withKind(CheckKind value) {
        return withOverrides(CheckOverrides.none().withKind(value));
    }

    public CheckSpec withInterval(Duration value) {
        return withOverrides(CheckOverrides.none().withInterval(value));
    }

    public CheckSpec withTimeout(Duration value) {
        return withOverrides(CheckOverrides.none().withTimeout(value));
    }

    public CheckSpec withRise(int value) {
        return withOverrides(CheckOverrides.none().withRise(value));
    }

    public CheckSpec withFall(int value) {
        return withOverrides(CheckOverrides.none().withFall(value));
    }

    public CheckSpec withFastInterval(Duration value) {
        return withOverrides(CheckOverrides.none().withFastInterval(value));
    }

    public CheckSpec withDownInterval(Duration value) {
        return withOverrides(CheckOverrides.none().withDownInterval(value));
    }

    public CheckSpec withJitterPercent(int value) {
        return withOverrides(CheckOverrides.none().withJitterPercent(value));
    }

    public CheckSpec withInitialState(HealthState value) {
        return withOverrides(CheckOverrides.none().withInitialState(value));
    }

    /** The same check for sharing purposes: the initial state does not change what is probed. */
    public CheckSpec sharingIdentity() {
        return withInitialState(HealthState.DOWN);
    }

    private static <T> T pick(T override, T inherited) {
        return override != null ? override : inherited;
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
