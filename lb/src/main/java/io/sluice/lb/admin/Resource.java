package io.sluice.lb.admin;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One admin API resource: a path template ({@code /v1/vips/{vip}}), the methods it serves, and
 * the handler. A new resource is one class implementing this, listed in {@link AdminApi}.
 *
 * <p>Handlers run on the server's event loop: they must not block. Reads answer at once from the
 * daemon's published snapshot; changes return the future of the daemon's reply.
 */
public interface Resource {
    String GET = "GET";
    String POST = "POST";
    String PATCH = "PATCH";
    String DELETE = "DELETE";

    String path();

    Set<String> methods();

    CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException;

    /** For handlers that answer at once. */
    static CompletableFuture<ApiResponse> now(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
