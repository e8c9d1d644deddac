package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import io.sluice.lb.consul.SharedDocument;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/config: the config file as it is on disk (what the daemon runs, unless edited since). With
 * consul.kv, the effective config: the file with the shared document's VIPs and DoS rules laid in
 * (as YAML, comments not kept), plus both sources as they are.
 */
public final class ConfigResource implements Resource {
    record ConfigText(String file, String text) {
    }

    record SharedConfigText(String file, String text, String source, String kvKey, Long kvModifyIndex,
                            String kvFrom, String fileText, String kvDocument) {
    }

    private static final String BLOCKS_FILE = "blocks_file";

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
            String file = context.daemon().configFile().toString();
            if (context.daemon().sharedKey().isPresent()) {
                return Resource.now(ApiResponse.ok(shared(file, text)));
            }
            return Resource.now(ApiResponse.ok(new ConfigText(file, text)));
        } catch (IOException e) {
            throw new ApiException(HttpStatus.INTERNAL_ERROR,
                    "cannot read " + context.daemon().configFile() + ": " + e);
        }
    }

    private SharedConfigText shared(String file, String fileText) throws ApiException {
        String key = context.daemon().sharedKey().orElseThrow();
        Optional<SharedDocument> doc = context.daemon().sharedDocument();
        String header = "# effective config: " + file + " with vips and dos from Consul KV key " + key
                + doc.map(d -> " (ModifyIndex " + d.modifyIndex() + ", from " + d.from() + ")").orElse(" (none yet)")
                + "\n";
        String merged;
        try {
            ObjectNode root = (ObjectNode) AdminJson.YAML.readTree(fileText);
            if (doc.isPresent()) {
                JsonNode shared = AdminJson.YAML.readTree(doc.get().text());
                JsonNode blocksFile = root.path("dos").path(BLOCKS_FILE);
                root.remove(List.of("vips", "dos"));
                shared.fields().forEachRemaining(e -> root.set(e.getKey(), e.getValue()));
                if (!blocksFile.isMissingNode() && root.get("dos") instanceof ObjectNode dos) {
                    dos.set(BLOCKS_FILE, blocksFile);
                }
            }
            merged = AdminJson.YAML.writeValueAsString(root);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(HttpStatus.INTERNAL_ERROR, "cannot lay the shared document over " + file + ": " + e);
        }
        return new SharedConfigText(file, header + merged, "consul_kv", key,
                doc.map(SharedDocument::modifyIndex).orElse(null), doc.map(SharedDocument::from).orElse(null),
                fileText, doc.map(SharedDocument::text).orElse(null));
    }
}
