package io.sluice.lb.admin;

import io.sluice.lb.config.ConfigError;
import java.util.List;

/** A request the API refuses: the HTTP status and, for bad input, every field at fault. */
public final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<ConfigError> errors;

    public ApiException(int status, String message, List<ConfigError> errors) {
        super(message);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public ApiException(int status, String message) {
        this(status, message, List.of());
    }

    /** 400 about one field of the request or of the config it would produce. */
    public static ApiException badField(String field, String reason) {
        return new ApiException(HttpStatus.BAD_REQUEST, field + ": " + reason, List.of(new ConfigError(field, reason)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, what);
    }

    public int status() {
        return status;
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
