package io.sluice.lb.consul;

/**
 * The daemon cannot start on the shared config: no valid document in Consul KV (unreachable,
 * missing or rejected) and no usable cached copy. The data plane keeps forwarding what it had.
 */
public final class SharedConfigUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SharedConfigUnavailable(String message) {
        super(message);
    }
}
