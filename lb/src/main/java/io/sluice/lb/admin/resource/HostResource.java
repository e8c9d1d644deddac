package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.bgp.HostControl;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET /v1/host: the LB host as BGP sees it (drained or not, each VIP address announced or why not);
 * POST /v1/host/drain and /v1/host/undrain take the whole host out of (or back into) the fleet by
 * withdrawing (announcing) its VIPs. The drain survives a restart (bgp.host_state_file).
 */
public final class HostResource implements Resource {
    private static final long DAEMON_TIMEOUT_SECONDS = 10;

    private final HostControl control;
    private final String path;
    private final Boolean drain;

    private HostResource(HostControl control, String path, Boolean drain) {
        this.control = control;
        this.path = path;
        this.drain = drain;
    }

    /** The three host resources, for the extra list of {@link io.sluice.lb.admin.AdminApi#resources}. */
    public static List<Resource> all(HostControl control) {
        return List.of(new HostResource(control, "/v1/host", null),
                new HostResource(control, "/v1/host/drain", true),
                new HostResource(control, "/v1/host/undrain", false));
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> methods() {
        return drain == null ? Set.of(GET) : Set.of(POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        if (drain == null) {
            return Resource.now(ApiResponse.ok(control.view()));
        }
        if (!control.enabled()) {
            throw new ApiException(HttpStatus.CONFLICT, "bgp is off in the config: the host announces nothing,"
                    + " so there is nothing to drain (see docs/bgp.md)");
        }
        return control.drain(drain).orTimeout(DAEMON_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .thenApply(ApiResponse::ok)
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof TimeoutException) {
                        throw new CompletionException(new ApiException(HttpStatus.UNAVAILABLE,
                                "the daemon did not answer within " + DAEMON_TIMEOUT_SECONDS + "s (stopping?)"));
                    }
                    throw new CompletionException(new ApiException(HttpStatus.INTERNAL_ERROR, cause.getMessage()));
                });
    }
}
