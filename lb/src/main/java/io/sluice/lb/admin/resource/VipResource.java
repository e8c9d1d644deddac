package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/vips/{vip} shows one VIP with its backends; DELETE removes it. */
public final class VipResource implements Resource {
    private final AdminContext context;

    public VipResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/vips/{vip}";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET, DELETE);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        String name = request.param("vip");
        if (request.method().equals(GET)) {
            return Resource.now(ApiResponse.ok(Views.vip(AdminContext.vip(context.daemon().config(), name),
                    context.daemon().status())));
        }
        return context.editor().change("api_vip_delete",
                        root -> ConfigTree.vips(root).remove(ConfigTree.vipIndex(root, name)))
                .thenApply(config -> ApiResponse.ok(Map.of("deleted", name)));
    }
}
