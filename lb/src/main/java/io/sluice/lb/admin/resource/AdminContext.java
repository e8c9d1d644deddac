package io.sluice.lb.admin.resource;

import io.sluice.lb.admin.ApiException;
import io.sluice.lb.admin.ApiResponse;
import io.sluice.lb.admin.ConfigEditor;
import io.sluice.lb.admin.DaemonAccess;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/** What every resource works with: the daemon's published view, the editor for changes, a clock. */
public record AdminContext(DaemonAccess daemon, ConfigEditor editor, Clock clock) {
    /** A step after a change that may still refuse (e.g. the backend is not there): 4xx, not 500. */
    @FunctionalInterface
    interface Answer {
        ApiResponse apply(SluiceConfig applied) throws ApiException;
    }

    static Function<SluiceConfig, ApiResponse> answer(Answer answer) {
        return config -> {
            try {
                return answer.apply(config);
            } catch (ApiException e) {
                throw new CompletionException(e);
            }
        };
    }

    static VipConfig vip(SluiceConfig config, String name) throws ApiException {
        return config.vips().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no VIP named \"" + name + "\""));
    }
}
