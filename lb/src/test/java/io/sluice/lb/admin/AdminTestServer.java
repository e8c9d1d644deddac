package io.sluice.lb.admin;

import io.sluice.lb.admin.client.AdminClient;
import io.sluice.lb.admin.resource.AdminContext;
import io.sluice.lb.config.AdminConfig;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** A real admin server on a Unix socket in a temp dir, over a config file and an {@link ApplierDouble}. */
public final class AdminTestServer implements AutoCloseable {
    public static final String BASE_CONFIG = String.join("\n",
            "# the test's config: comments are not kept by API edits",
            "interface: eth0",
            "encap: { source_v4: 172.16.0.0/16, source_v6: \"fd00:5::/96\" }",
            "vips:",
            "  - name: web",
            "    address: 10.100.0.1",
            "    port: 80",
            "    table_size: 7",
            "    backends:",
            "      - address: 10.0.2.11",
            "      - { address: 10.0.2.12, weight: 50 }",
            "  - name: web6",
            "    address: \"fd00:100::1\"",
            "    port: 443",
            "    table_size: 7",
            "    backends:",
            "      - address: \"fd00:2::11\"",
            "");

    public final Path dir;
    public final Path configFile;
    public final Path socket;
    final ApplierDouble applier;
    final ConfigEditor editor;
    final AdminServer server;

    public AdminTestServer(Path dir) throws Exception {
        this(dir, BASE_CONFIG, true, Optional.empty());
    }

    AdminTestServer(Path dir, String yaml, boolean publishStatus, Optional<AdminConfig> admin) throws Exception {
        this(dir, yaml, publishStatus, admin, context -> List.of());
    }

    /** @param extra more resources (the DoS ones), made with the server's context */
    AdminTestServer(Path dir, String yaml, boolean publishStatus, Optional<AdminConfig> admin,
                    java.util.function.Function<AdminContext, List<Resource>> extra) throws Exception {
        this.dir = dir;
        this.configFile = Files.writeString(dir.resolve("sluice.yaml"), yaml, StandardCharsets.UTF_8);
        this.socket = dir.resolve("admin.sock");
        SluiceConfig config = ConfigLoader.load(configFile);
        applier = new ApplierDouble(configFile, config, publishStatus);
        editor = new ConfigEditor(applier);
        AdminConfig listeners = admin.orElse(new AdminConfig(Optional.of(socket), Optional.empty(), Optional.empty(),
                false));
        AdminContext context = new AdminContext(applier, editor, Clock.systemUTC());
        server = AdminServer.start(listeners, new Router(AdminApi.resources(context, extra.apply(context))));
    }

    public AdminClient client() {
        return AdminClient.unixSocket(socket);
    }

    public void setPacketsPerBackend(long packets) {
        applier.setPacketsPerBackend(packets);
    }

    public int reconciles() {
        return applier.reconciles();
    }

    public String fileText() throws Exception {
        return Files.readString(configFile, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
        editor.close();
        applier.close();
    }

    /** The table fingerprint the double reports for a VIP: 16 hex digits, different per VIP name. */
    public static String fingerprintOf(String vip) {
        return String.format(java.util.Locale.ROOT, "%016x", (long) vip.hashCode() << 32 | 0x5a5a5a5aL);
    }
}
