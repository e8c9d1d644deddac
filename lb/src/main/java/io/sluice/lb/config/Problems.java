package io.sluice.lb.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every error found while reading a configuration, so all are reported at once. */
final class Problems {
    private final List<ConfigError> errors = new ArrayList<>();

    void add(String field, String reason) {
        errors.add(new ConfigError(field, reason));
    }

    boolean any() {
        return !errors.isEmpty();
    }

    List<ConfigError> list() {
        return List.copyOf(errors);
    }
}
