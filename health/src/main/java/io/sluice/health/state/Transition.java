package io.sluice.health.state;

/** The state before and after one verdict; most verdicts change nothing. */
public record Transition(HealthState from, HealthState to) {
    public boolean changed() {
        return from != to;
    }
}
