package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/vips lists them; POST adds one (the body is the VIP as in the config file, in JSON). */
public final class VipsResource implements Resource {
    private final AdminContext context;

    public VipsResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/vips";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET, POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        if (request.method().equals(GET)) {
            return Resource.now(ApiResponse.ok(Views.vips(context.daemon().config(), context.daemon().status())));
        }
        ObjectNode vip = request.jsonObject();
        String name = vip.path("name").asText("");
        return context.editor().change("api_vip_add", root -> ConfigTree.vips(root).add(vip))
                .thenApply(AdminContext.answer(config -> ApiResponse.created(
                        Views.vip(AdminContext.vip(config, name), context.daemon().status()))));
    }
}
