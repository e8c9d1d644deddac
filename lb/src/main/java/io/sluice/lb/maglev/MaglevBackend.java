package io.sluice.lb.maglev;

/**
 * One backend as Maglev sees it: a canonical identity (e.g. "10.0.2.11" or
 * "[2001:db8::1]", chosen by the caller, compared as a string) and a weight.
 * Weight 0 keeps the backend in the set but gives it no slots.
 */
public record MaglevBackend(String identity, int weight) {
    /** Same bound as the configuration; keeps the weighted fill's credit arithmetic far from overflow. */
    public static final int MAX_WEIGHT = 65_535;

    public MaglevBackend {
        if (identity == null || identity.isEmpty()) {
            throw new IllegalArgumentException("backend identity must be a non-empty string");
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException(
                    "backend " + identity + ": weight " + weight + " is outside 0.." + MAX_WEIGHT);
        }
    }
}
