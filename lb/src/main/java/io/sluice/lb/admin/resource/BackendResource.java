package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.config.VipConfig;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/vips/{vip}/backends/{backend} shows one backend; PATCH sets its {@code weight} and/or
 * {@code drain}; DELETE removes it. {backend} is its address (IPv6 as is or percent-encoded).
 */
public final class BackendResource implements Resource {
    /** The keys a PATCH may set: the operator's runtime knobs. Anything else is a VIP or backend edit. */
    static final List<String> PATCHABLE = List.of("weight", "drain");

    private final AdminContext context;

    public BackendResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/vips/{vip}/backends/{backend}";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET, PATCH, DELETE);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        String vipName = request.param("vip");
        String address = request.param("backend");
        switch (request.method()) {
            case GET:
                return Resource.now(ApiResponse.ok(view(AdminContext.vip(context.daemon().config(), vipName), address,
                        context)));
            case DELETE:
                ConfigTree.address(address);
                return context.editor().change("api_backend_delete", root -> {
                    ArrayNode backends = ConfigTree.backends(ConfigTree.vip(root, vipName), vipName);
                    backends.remove(ConfigTree.backendIndex(backends, vipName, address));
                }).thenApply(config -> ApiResponse.ok(Map.of("deleted", address, "vip", vipName)));
            default:
                ObjectNode patch = request.jsonObject();
                checkPatch(patch);
                return context.editor().change(patch.has("weight") ? "api_backend_weight" : "api_backend_drain",
                        root -> {
                            ArrayNode backends = ConfigTree.backends(ConfigTree.vip(root, vipName), vipName);
                            JsonNode entry = backends.get(ConfigTree.backendIndex(backends, vipName, address));
                            if (!entry.isObject()) {
                                throw ApiException.badField("address", "the backend entry is not a mapping");
                            }
                            ((ObjectNode) entry).setAll(patch);
                        })
                        .thenApply(AdminContext.answer(config -> ApiResponse.ok(
                                view(AdminContext.vip(config, vipName), address, context))));
        }
    }

    private static void checkPatch(ObjectNode patch) throws ApiException {
        if (patch.isEmpty()) {
            throw ApiException.badField(ApiRequest.BODY,
                    "nothing to change: set " + String.join(" and/or ", PATCHABLE));
        }
        for (Iterator<String> keys = patch.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!PATCHABLE.contains(key)) {
                throw ApiException.badField(key, "cannot be changed here (expected " + String.join(", ", PATCHABLE)
                        + "); delete and add the backend to change anything else");
            }
        }
    }

    static Views.BackendView view(VipConfig vip, String address, AdminContext context) throws ApiException {
        InetAddress wanted = ConfigTree.address(address);
        var status = context.daemon().status().flatMap(s -> s.vips().stream()
                .filter(v -> v.name().equals(vip.name())).findFirst());
        return vip.backends().stream().filter(b -> b.address().equals(wanted)).findFirst()
                .map(b -> Views.backend(vip.name(), b, status))
                .orElseThrow(() -> ApiException.notFound("VIP \"" + vip.name() + "\" has no backend " + address));
    }
}
