package io.sluice.lb.daemon;

import io.sluice.lb.admin.AdminApi;
import io.sluice.lb.admin.AdminBridge;
import io.sluice.lb.admin.AdminServer;
import io.sluice.lb.admin.ConfigEditor;
import io.sluice.lb.admin.Router;
import io.sluice.lb.admin.resource.AdminContext;
import io.sluice.lb.admin.resource.DosResource;
import io.sluice.lb.admin.resource.HostResource;
import io.sluice.lb.bgp.HostControl;
import io.sluice.lb.config.AdminConfig;
import io.sluice.lb.dos.DosControl;
import io.sluice.lb.metrics.SluiceMetrics;
import io.sluice.lb.admin.Resource;
import io.sluice.lb.net.ServerEventLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The daemon's admin API: the server and the editor behind it, started and stopped together. */
final class AdminEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private final ConfigEditor editor;
    private final AdminServer server;

    private AdminEndpoint(ConfigEditor editor, AdminServer server) {
        this.editor = editor;
        this.server = server;
    }

    /** Null when the config turns the API off (try-with-resources skips a null resource). */
    static AdminEndpoint start(AdminConfig config, AdminBridge bridge, SluiceMetrics metrics, DosControl dos,
                               HostControl host, ServerEventLoop loop) {
        if (config.socket().isEmpty() && config.listen().isEmpty()) {
            log.info("event=admin_off");
            return null;
        }
        ConfigEditor editor = new ConfigEditor(bridge);
        try {
            AdminContext context = new AdminContext(bridge, editor, Clock.systemUTC());
            AdminServer server = AdminServer.start(config,
                    new Router(AdminApi.resources(context, extra(context, dos, host))), metrics::adminRequest, loop);
            log.info("event=admin_listening socket={} tcp={}", config.socket().map(Object::toString).orElse("off"),
                    config.listen().map(a -> a.getAddress().getHostAddress() + ":" + server.tcpPort()).orElse("off"));
            return new AdminEndpoint(editor, server);
        } catch (RuntimeException e) {
            editor.close();
            throw e;
        }
    }

    private static List<Resource> extra(AdminContext context, DosControl dos, HostControl host) {
        List<Resource> all = new ArrayList<>(DosResource.all(context, dos));
        all.addAll(HostResource.all(host));
        return all;
    }

    @Override
    public void close() {
        server.close();
        editor.close();
    }
}
