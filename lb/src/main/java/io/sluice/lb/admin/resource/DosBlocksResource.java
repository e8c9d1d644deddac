package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.dos.DosControl;
import io.sluice.lb.dos.DosService;
import io.sluice.lb.dos.DosSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/dos/blocks lists the run-time blocks; POST {prefix, ttl?, reason?} blocks a prefix.
 *
 * <p>Without a ttl the block is permanent: the prefix is added to {@code dos.deny} in the config
 * file (validated whole, applied as one reconcile). With a ttl it is a temporary manual block, kept
 * in the blocks file across restarts, lifted when the ttl runs out.
 */
public final class DosBlocksResource implements Resource {
    static final List<String> KEYS = List.of("prefix", "ttl", "reason");

    private final AdminContext context;
    private final DosControl control;

    public DosBlocksResource(AdminContext context, DosControl control) {
        this.context = context;
        this.control = control;
    }

    @Override
    public String path() {
        return "/v1/dos/blocks";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET, POST);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        if (request.method().equals(GET)) {
            return DosRequests.daemon(control.snapshot()).thenApply(s -> ApiResponse.ok(s.blocks()));
        }
        ObjectNode body = request.jsonObject();
        for (Iterator<String> keys = body.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw ApiException.badField(key, "unknown key (expected " + String.join(", ", KEYS) + ")");
            }
        }
        JsonNode prefixNode = body.path("prefix");
        if (!prefixNode.isTextual()) {
            throw ApiException.badField("prefix", "required: a prefix such as 192.0.2.0/24 or an address");
        }
        Cidr cidr = DosRequests.prefix("prefix", prefixNode.asText());
        DosConfig dos = context.daemon().config().dos();
        if (DosService.allowed(dos, DosRequests.lpm(cidr))) {
            throw ApiException.badField("prefix", cidr + " is covered by dos.allow: a block would have no effect");
        }
        if (dos.deny().contains(cidr)) {
            throw new ApiException(HttpStatus.CONFLICT, cidr + " is already blocked permanently (dos.deny)");
        }
        if (!body.has("ttl")) {
            if (body.has("reason")) {
                throw ApiException.badField("reason", "is kept only with a ttl: a block without one is a dos.deny"
                        + " entry of the config file");
            }
            return permanent(cidr);
        }
        Duration ttl = DosRequests.ttl(body.get("ttl"));
        String reason = body.has("reason") ? DosRequests.reason(body.get("reason")) : DosRequests.DEFAULT_REASON;
        return DosRequests.daemon(control.block(DosRequests.lpm(cidr), ttl, reason)).thenApply(b ->
                ApiResponse.created(new DosSnapshot.BlockView(b.prefix().toString(), b.origin().label(), b.reason(),
                        b.blockedAt().toString(), b.expiresAt().map(Instant::toString).orElse(null), 0)));
    }

    private CompletableFuture<ApiResponse> permanent(Cidr cidr) {
        return context.editor().change("api_dos_block", root -> {
            ArrayNode deny = DosRequests.denyList(root);
            if (DosRequests.indexOf(deny, cidr).isPresent()) {
                throw new ApiException(HttpStatus.CONFLICT, cidr + " is already blocked permanently (dos.deny)");
            }
            deny.add(DosRequests.text(cidr));
        }).thenApply(config -> ApiResponse.created(Map.of("prefix", DosRequests.text(cidr), "origin", "config")));
    }
}
