package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.ConfigEditor;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.config.SluiceConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** POST /v1/config/validate: the body (YAML) checked by the daemon's reader; 400 lists every problem. */
public final class ConfigValidateResource implements Resource {
    @Override
    public String path() {
        return "/v1/config/validate";
    }

    @Override
    public Set<String> methods() {
        return Set.of(POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        SluiceConfig config = ConfigEditor.validate(request.text());
        return Resource.now(ApiResponse.ok(Map.of("valid", true, "vips", config.vips().size())));
    }
}
