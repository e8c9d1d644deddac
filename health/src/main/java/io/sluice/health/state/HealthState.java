package io.sluice.health.state;

/** Whether a backend should receive new flows. */
public enum HealthState {
    UP,
    DOWN
}
