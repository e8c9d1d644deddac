package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/vips/{vip}/backends lists a VIP's backends; POST adds one ({address, weight?, drain?, health_check?}). */
public final class VipBackendsResource implements Resource {
    private final AdminContext context;

    public VipBackendsResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/vips/{vip}/backends";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET, POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        String name = request.param("vip");
        if (request.method().equals(GET)) {
            return Resource.now(ApiResponse.ok(Views.vip(AdminContext.vip(context.daemon().config(), name),
                    context.daemon().status()).backends()));
        }
        ObjectNode backend = request.jsonObject();
        String address = backend.path("address").asText("");
        return context.editor().change("api_backend_add",
                        root -> ConfigTree.backends(ConfigTree.vip(root, name), name).add(backend))
                .thenApply(AdminContext.answer(config -> ApiResponse.created(
                        BackendResource.view(AdminContext.vip(config, name), address, context))));
    }
}
