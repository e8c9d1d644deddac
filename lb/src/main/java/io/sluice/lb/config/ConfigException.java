package io.sluice.lb.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every problem found (not just the first). */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(describe(errors));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(List<ConfigError> errors) {
        String header = "invalid configuration, " + errors.size() + (errors.size() == 1 ? " error:" : " errors:");
        return errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n", header + "\n", ""));
    }
}
