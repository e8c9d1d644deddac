package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.dos.DosControl;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/dos: the DoS stage as it is: allow list, deny list (config entries and run-time blocks,
 * each with its hit counter), blocks with origin, reason and expiry, limits, drops per reason.
 */
public final class DosResource implements Resource {
    private final DosControl control;

    public DosResource(DosControl control) {
        this.control = control;
    }

    /** Every DoS resource, for the extra list of {@link io.sluice.lb.admin.AdminApi#resources}. */
    public static List<Resource> all(AdminContext context, DosControl control) {
        return List.of(new DosResource(control), new DosBlocksResource(context, control),
                new DosBlockResource(context, control));
    }

    @Override
    public String path() {
        return "/v1/dos";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) {
        return DosRequests.daemon(control.snapshot()).thenApply(ApiResponse::ok);
    }
}
