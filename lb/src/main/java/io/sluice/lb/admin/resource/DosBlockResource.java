package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.dos.Block;
import io.sluice.lb.dos.DosControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * DELETE /v1/dos/blocks/{prefix} (the slash percent-encoded: 192.0.2.0%2F24) lifts a block: the
 * prefix leaves {@code dos.deny} in the config file when it is there (first, as one reconcile), and
 * the run-time block list (manual or automatic) when it is there. Neither: 404.
 */
public final class DosBlockResource implements Resource {
    private final AdminContext context;
    private final DosControl control;

    public DosBlockResource(AdminContext context, DosControl control) {
        this.context = context;
        this.control = control;
    }

    @Override
    public String path() {
        return "/v1/dos/blocks/{prefix}";
    }

    @Override
    public Set<String> methods() {
        return Set.of(DELETE);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        Cidr cidr = DosRequests.prefix("prefix", request.param("prefix"));
        boolean inConfig = context.daemon().config().dos().deny().contains(cidr);
        CompletableFuture<Boolean> fromConfig = !inConfig ? CompletableFuture.completedFuture(false)
                : context.editor().change("api_dos_unblock", root -> {
                    ArrayNode deny = DosRequests.denyList(root);
                    deny.remove(DosRequests.indexOf(deny, cidr).orElseThrow(() ->
                            ApiException.notFound(cidr + " is not in dos.deny of the config file")));
                }).thenApply(config -> true);
        return fromConfig.thenCompose(removedFromConfig -> DosRequests.daemon(control.unblock(DosRequests.lpm(cidr)))
                .thenApply(block -> answer(cidr, removedFromConfig, block)));
    }

    private static ApiResponse answer(Cidr cidr, boolean fromConfig, Optional<Block> block) {
        List<String> removed = new ArrayList<>();
        if (fromConfig) {
            removed.add("config");
        }
        block.ifPresent(b -> removed.add(b.origin().label()));
        if (removed.isEmpty()) {
            throw new CompletionException(ApiException.notFound(cidr + " is not blocked (neither in dos.deny nor a"
                    + " run-time block)"));
        }
        return ApiResponse.ok(Map.of("unblocked", DosRequests.text(cidr), "removed", removed));
    }
}
