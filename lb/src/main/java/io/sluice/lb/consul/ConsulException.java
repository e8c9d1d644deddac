package io.sluice.lb.consul;

/** A call to the agent failed: unreachable, an error status, a refused answer. The message says which. */
public final class ConsulException extends Exception {
    private final int status;

    public ConsulException(String message, int status) {
        super(message);
        this.status = status;
    }

    public ConsulException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The log event: the agent could not be reached at all, or it answered with something refused. */
    public String event() {
        return getCause() instanceof java.io.IOException ? "consul_unreachable" : "consul_call_failed";
    }

    /** The HTTP status, or 0 when no answer came (connection refused, timeout, oversize). */
    public int status() {
        return status;
    }
}
