package io.sluice.lb.admin;

import io.sluice.lb.admin.resource.AdminContext;
import io.sluice.lb.admin.resource.BackendResource;
import io.sluice.lb.admin.resource.BackendsResource;
import io.sluice.lb.admin.resource.ConfigReloadResource;
import io.sluice.lb.admin.resource.ConfigResource;
import io.sluice.lb.admin.resource.ConfigValidateResource;
import io.sluice.lb.admin.resource.StatsResource;
import io.sluice.lb.admin.resource.StatusResource;
import io.sluice.lb.admin.resource.VipBackendsResource;
import io.sluice.lb.admin.resource.VipResource;
import io.sluice.lb.admin.resource.VipsResource;
import java.util.ArrayList;
import java.util.List;

/** The admin API's resources: the one list a new resource (DoS, drain state, ...) is added to. */
public final class AdminApi {
    private AdminApi() {
    }

    public static List<Resource> resources(AdminContext context, List<Resource> extra) {
        List<Resource> all = new ArrayList<>(List.of(
                new StatusResource(context),
                new VipsResource(context),
                new VipResource(context),
                new VipBackendsResource(context),
                new BackendResource(context),
                new BackendsResource(context),
                new StatsResource(context),
                new ConfigResource(context),
                new ConfigValidateResource(),
                new ConfigReloadResource(context)));
        all.addAll(extra);
        return all;
    }
}
