package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** POST /v1/config/reload: re-read the config file and apply it in one reconcile (SIGHUP with an answer). */
public final class ConfigReloadResource implements Resource {
    private final AdminContext context;

    public ConfigReloadResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/config/reload";
    }

    @Override
    public Set<String> methods() {
        return Set.of(POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) {
        return context.editor().reload().thenApply(config -> ApiResponse.ok(Map.of("reloaded", true,
                "vips", config.vips().size())));
    }
}
