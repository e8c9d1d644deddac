package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiRequest;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.HttpStatus;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** GET /v1/status: is the program attached, where, since when, which versions. */
public final class StatusResource implements Resource {
    /**
     * @param attached        the program is on the interface (the daemon publishes status only then)
     * @param kernel          the running kernel; abiVersion: the BPF map layout this build speaks
     * @param xdpMode         as configured (auto, native, generic)
     * @param adopted         the daemon found the program already attached and took it over
     * @param alerts          VIPs whose checked backends are all DOWN
     */
    record Status(boolean attached, String version, String java, String kernel, int abiVersion,
                  String interfaceName, String xdpMode,
                  String pinDir, boolean adopted, String startedAt, long uptimeSeconds, String updatedAt,
                  String healthTransport, String configFile, int vips, int backends, List<String> alerts) {
    }

    private final AdminContext context;

    public StatusResource(AdminContext context) {
        this.context = context;
    }

    @Override
    public String path() {
        return "/v1/status";
    }

    @Override
    public Set<String> methods() {
        return Set.of(GET);
    }

    @Override
    public CompletableFuture<ApiResponse> handle(ApiRequest request) throws ApiException {
        DaemonStatus s = context.daemon().status().orElseThrow(() -> new ApiException(HttpStatus.UNAVAILABLE,
                "the daemon is starting: no status yet"));
        SluiceConfig config = context.daemon().config();
        long uptime = Duration.between(Instant.parse(s.startedAt()), context.clock().instant()).toSeconds();
        int backends = config.vips().stream().mapToInt(v -> v.backends().size()).sum();
        List<String> alerts = s.vips().stream().filter(VipStatus::allBackendsDown).map(VipStatus::name).toList();
        return Resource.now(ApiResponse.ok(new Status(true, s.version(), "Java " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), DataplaneAbi.ABI_VERSION,
                s.interfaceName(), Views.lower(config.xdpMode()), s.pinDir(), s.adopted(), s.startedAt(),
                Math.max(0, uptime), s.updatedAt(), s.healthTransport(), context.daemon().configFile().toString(),
                config.vips().size(), backends, alerts)));
    }
}
