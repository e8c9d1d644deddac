package io.sluice.lb.config;

/** One problem in a configuration: the field by path (e.g. "vips[1].backends[0].address") and why. */
public record ConfigError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
