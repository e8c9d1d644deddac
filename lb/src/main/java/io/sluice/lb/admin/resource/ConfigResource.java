package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/config: the config file as it is on disk (what the daemon runs, unless edited since). */
public final class ConfigResource implements Resource {
    record ConfigText(String file, String text) {
    }

    private final AdminContext context;

    public ConfigResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/config";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        try {
            String text = Files.readString(context.daemon().configFile(), StandardCharsets.UTF_8);
            return Resource.now(ApiResponse.ok(new ConfigText(context.daemon().configFile().toString(), text)));
        } catch (IOException e) {
            throw new ApiException(HttpStatus.INTERNAL_ERROR,
                    "cannot read " + context.daemon().configFile() + ": " + e);
        }
    }
}
