package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.status.DaemonStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/stats: the data plane's counters as the daemon last summed them (every second):
 * per VIP and backend, and every packet by what became of it (the drop_* reasons are drops).
 * Counters only grow; a client takes two samples for rates (sluice stats --watch).
 */
public final class StatsResource implements Resource {
    record Stats(String updatedAt, Map<String, Long> packets, List<VipStats> vips) {
    }

    record VipStats(String name, String address, int port, String protocol, long packets, long bytes, long newFlows,
                    List<BackendStats> backends) {
    }

    record BackendStats(String address, long packets, long bytes, long newFlows) {
    }

    private final AdminContext context;

    public StatsResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/stats";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        DaemonStatus s = context.daemon().status().orElseThrow(() -> new ApiException(HttpStatus.UNAVAILABLE,
                "the daemon is starting: no counters yet"));
        List<VipStats> vips = s.vips().stream().map(v -> new VipStats(v.name(), v.address(), v.port(), v.protocol(),
                v.packets(), v.bytes(), v.newFlows(), v.backends().stream()
                        .map(b -> new BackendStats(b.address(), b.packets(), b.bytes(), b.newFlows())).toList()))
                .toList();
        return Resource.now(ApiResponse.ok(new Stats(s.updatedAt(), s.packetReasons(), vips)));
    }
}
