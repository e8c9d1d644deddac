package io.sluice.health.state;

/** Which of a check's three intervals is in force. */
public enum Cadence {
    /** Stable and UP: {@code interval}. */
    NORMAL,
    /** A state change is under way: {@code fastInterval}. */
    FAST,
    /** Stable and DOWN: {@code downInterval}. */
    DOWN
}
