package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/backends: every backend of every VIP, one flat list (each names its VIP). */
public final class BackendsResource implements Resource {
    private final AdminContext context;

    public BackendsResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/backends";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) {
        return Resource.now(ApiResponse.ok(Views.vips(context.daemon().config(), context.daemon().status()).stream()
                .flatMap(v -> v.backends().stream()).toList()));
    }
}
