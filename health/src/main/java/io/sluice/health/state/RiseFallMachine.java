package io.sluice.health.state;

/**
 * HAProxy's rise/fall counting. An UP target goes DOWN after {@code fall} consecutive failures, a
 * DOWN target goes UP after {@code rise} consecutive passes; a verdict that agrees with the
 * current state clears the streak. Not thread-safe: each machine is confined to one event loop.
 */
public final class RiseFallMachine {
    private final int rise;
    private final int fall;
    private HealthState state;
    /** Consecutive verdicts that disagree with {@link #state}. */
    private int streak;

    public RiseFallMachine(int rise, int fall, HealthState initial) {
        this(rise, fall, initial, 0);
    }

    /** Resumes a machine retired a moment ago, streak included. */
    public RiseFallMachine(int rise, int fall, HealthState state, int streak) {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
        this.rise = rise;
        this.fall = fall;
        this.state = state;
        this.streak = Math.max(0, streak);
    }

    public Transition record(boolean passed) {
        HealthState before = state;
        boolean agrees = (state == HealthState.UP) == passed;
        if (agrees) {
            streak = 0;
            return new Transition(before, state);
        }
        streak++;
        int needed = state == HealthState.UP ? fall : rise;
        if (streak >= needed) {
            state = state == HealthState.UP ? HealthState.DOWN : HealthState.UP;
            streak = 0;
        }
        return new Transition(before, state);
    }

    public HealthState state() {
        return state;
    }

    public int streak() {
        return streak;
    }

    /** UP with failures counted, or DOWN with passes counted (HAProxy's "going down/up"). */
    public boolean changing() {
        return streak > 0;
    }

    /** Which interval applies to the next run: fastinter while changing, downinter while DOWN. */
    public Cadence cadence() {
        if (changing()) {
            return Cadence.FAST;
        }
        return state == HealthState.UP ? Cadence.NORMAL : Cadence.DOWN;
    }
}
