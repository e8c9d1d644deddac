package io.sluice.lb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.AdminJson;
import io.sluice.lb.admin.AdminTestServer;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every admin command of the CLI against a real admin server on a Unix socket. */
class AdminCliTest {
    private static final int EXIT_USAGE = 2;

    @TempDir
    Path dir;

    private AdminTestServer server;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws Exception {
        server = new AdminTestServer(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        // --socket goes after the subcommand path (it is each command's own option)
        all.add("--socket=" + server.socket);
        var cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all.toArray(String[]::new));
    }

    private SluiceConfig fileConfig() throws Exception {
        return ConfigLoader.load(server.configFile);
    }

    private void assertNothingChanged() throws Exception {
        assertThat(server.fileText()).isEqualTo(AdminTestServer.BASE_CONFIG);
        assertThat(server.reconciles()).isZero();
    }

    @Test
    void vipListShowsATable() {
        assertThat(run("vip", "list")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("NAME", "SERVICE", "web", "10.100.0.1:80/tcp", "[fd00:100::1]:443/tcp")
                .contains("FINGERPRINT", AdminTestServer.fingerprintOf("web").substring(0, 8))
                .doesNotContain(AdminTestServer.fingerprintOf("web"));
    }

    @Test
    void vipListJsonIsTheApisAnswer() throws Exception {
        assertThat(run("vip", "list", "--json")).isZero();
        JsonNode vips = AdminJson.JSON.readTree(out.toString());
        assertThat(vips.findValuesAsText("name")).containsExactly("web", "web6");
    }

    @Test
    void vipShowListsItsBackends() {
        assertThat(run("vip", "show", "web")).isZero();
        assertThat(out.toString()).contains("VIP web", "10.0.2.11", "10.0.2.12", "WEIGHT", "STATE", "active",
                AdminTestServer.fingerprintOf("web"));
        assertThat(run("vip", "show", "nope")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("no VIP named \"nope\"", "HTTP 404");
    }

    @Test
    void vipAddWithBackendsAndDel() throws Exception {
        assertThat(run("vip", "add", "api", "10.100.0.2", "8443", "--table-size", "7", "-b", "10.0.2.21",
                "--backend", "10.0.2.22=10", "--protocol", "udp")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("added VIP api 10.100.0.2:8443/udp with 2 backends");
        var api = fileConfig().vips().get(2);
        assertThat(api.name()).isEqualTo("api");
        assertThat(api.backends().get(1).weight()).isEqualTo(10);
        assertThat(server.reconciles()).isEqualTo(1);

        assertThat(run("vip", "del", "api")).isZero();
        assertThat(fileConfig().vips()).hasSize(2);
    }

    @Test
    void vipAddFromASpecFileKeepsItsHealthCheck() throws Exception {
        Path spec = Files.writeString(dir.resolve("vip.yaml"), String.join("\n",
                "table_size: 7",
                "health_check: { type: tcp, interval: 2s }",
                "backends: [{ address: 10.0.2.31 }]", ""));
        assertThat(run("vip", "add", "checked", "10.100.0.3", "80", "--spec", spec.toString())).as(err.toString())
                .isZero();
        assertThat(fileConfig().vips().get(2).backends().get(0).healthCheck()).isPresent();
    }

    @Test
    void vipAddBadInputNamesTheFieldExitsOneAndChangesNothing() throws Exception {
        assertThat(run("vip", "add", "api", "10.100.0.2", "8443", "--table-size", "8"))
                .isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("vips[2].table_size", "not prime");
        assertNothingChanged();
        assertThat(run("vip", "add", "web", "10.100.0.2", "81", "--json")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(AdminJson.JSON.readTree(out.toString()).path("errors").get(0).path("field").asText())
                .isEqualTo("vips[2].name");
        assertNothingChanged();
    }

    @Test
    void vipDelUnknownExitsOne() throws Exception {
        assertThat(run("vip", "del", "nope")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertNothingChanged();
    }

    @Test
    void backendListOfAllAndOfOneVip() {
        assertThat(run("backend", "list")).isZero();
        assertThat(out.toString()).contains("VIP", "web6", "fd00:2::11", "10.0.2.12");
        assertThat(run("backend", "list", "web6")).isZero();
        assertThat(out.toString()).contains("fd00:2::11").doesNotContain("10.0.2.12");
    }

    @Test
    void backendAddWeightDrainUndrainDel() throws Exception {
        assertThat(run("backend", "add", "web", "10.0.2.13", "--weight", "20")).as(err.toString()).isZero();
        assertThat(fileConfig().vips().get(0).backends().get(2).weight()).isEqualTo(20);

        assertThat(run("backend", "weight", "web", "10.0.2.13", "30")).isZero();
        assertThat(fileConfig().vips().get(0).backends().get(2).weight()).isEqualTo(30);

        assertThat(run("backend", "drain", "web", "10.0.2.13")).isZero();
        assertThat(out.toString()).contains("draining");
        assertThat(fileConfig().vips().get(0).backends().get(2).drain()).isTrue();
        assertThat(run("backend", "list", "web", "--json")).isZero();
        assertThat(AdminJson.JSON.readTree(out.toString()).get(2).path("drain").asBoolean()).isTrue();

        assertThat(run("backend", "undrain", "web", "10.0.2.13")).isZero();
        assertThat(fileConfig().vips().get(0).backends().get(2).drain()).isFalse();

        assertThat(run("backend", "del", "web", "10.0.2.13")).isZero();
        assertThat(fileConfig().vips().get(0).backends()).extracting(b -> b.address())
                .containsExactly(InetAddress.getByName("10.0.2.11"), InetAddress.getByName("10.0.2.12"));
        assertThat(server.reconciles()).isEqualTo(5);
    }

    @Test
    void ipv6BackendsWorkInPaths() throws Exception {
        assertThat(run("backend", "add", "web6", "fd00:2::12")).as(err.toString()).isZero();
        assertThat(run("backend", "drain", "web6", "fd00:2::12")).as(err.toString()).isZero();
        assertThat(run("backend", "del", "web6", "fd00:2:0::12")).as(err.toString()).isZero();
        assertThat(fileConfig().vips().get(1).backends()).hasSize(1);
    }

    @Test
    void backendBadInputExitsOneAndChangesNothing() throws Exception {
        assertThat(run("backend", "weight", "web", "10.0.2.11", "70000")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("vips[0].backends[0].weight", "0..65535");
        assertThat(run("backend", "add", "web", "10.0.2.11")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("duplicate backend");
        assertThat(run("backend", "drain", "web", "10.9.9.9")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("has no backend 10.9.9.9");
        assertThat(run("backend", "del", "nope", "10.0.2.11")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(run("backend", "add", "web", "not-an-ip")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertNothingChanged();
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertThat(run("backend", "weight", "web", "10.0.2.11", "heavy")).isEqualTo(EXIT_USAGE);
        assertThat(run("backend", "drain", "web")).isEqualTo(EXIT_USAGE);
        assertThat(run("vip", "add", "x", "10.1.1.1", "80", "--backend", "10.0.2.1=x")).isEqualTo(EXIT_USAGE);
        assertThat(run("vip")).isEqualTo(EXIT_USAGE);
        assertThat(run("stats", "--interval", "0")).isEqualTo(EXIT_USAGE);
        assertNothingChanged();
    }

    @Test
    void anUnreachableDaemonExitsThree() {
        CommandLineRun r = runWithSocket(dir.resolve("nobody.sock"), "vip", "list");
        assertThat(r.exit).isEqualTo(SluiceCli.EXIT_UNREACHABLE);
        assertThat(r.err).contains("cannot reach sluiced at", "nobody.sock");
        assertThat(runWithSocket(dir.resolve("nobody.sock"), "backend", "drain", "web", "10.0.2.11").exit)
                .isEqualTo(SluiceCli.EXIT_UNREACHABLE);
    }

    @Test
    void statsTotals() {
        server.setPacketsPerBackend(4);
        assertThat(run("stats")).isZero();
        assertThat(out.toString()).contains("VIP", "PACKETS", "10.0.2.11", "drop_no_backend");
    }

    @Test
    void statsWatchShowsRatesForCountFramesThenStops() throws Exception {
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor();
        AtomicLong packets = new AtomicLong();
        refresher.scheduleAtFixedRate(() -> server.setPacketsPerBackend(packets.addAndGet(100)), 0, 250,
                TimeUnit.MILLISECONDS);
        try {
            assertThat(run("stats", "--watch", "--count", "2", "--json")).as(err.toString()).isZero();
        } finally {
            refresher.shutdownNow();
        }
        String[] frames = out.toString().strip().split("\n");
        assertThat(frames).hasSize(2);
        JsonNode frame = AdminJson.JSON.readTree(frames[1]);
        double rate = frame.path("vips").get(0).path("backends").get(0).path("packets_per_second").asDouble();
        assertThat(rate).isPositive(); // the double grows 100 packets per 250 ms: a rate, not a total
        assertThat(frame.path("drops_per_second").has("drop_no_backend")).isTrue();
    }

    @Test
    void statsWatchHumanView() {
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor();
        AtomicLong packets = new AtomicLong();
        refresher.scheduleAtFixedRate(() -> server.setPacketsPerBackend(packets.addAndGet(10)), 0, 250,
                TimeUnit.MILLISECONDS);
        try {
            assertThat(run("stats", "-w", "-n", "1")).as(err.toString()).isZero();
        } finally {
            refresher.shutdownNow();
        }
        assertThat(out.toString()).contains("PKTS/S", "DROPS/S", "fd00:2::11");
    }

    @Test
    void configShowAndReload() throws Exception {
        assertThat(run("config", "show")).isZero();
        assertThat(out.toString()).isEqualTo(AdminTestServer.BASE_CONFIG);

        Files.writeString(server.configFile, AdminTestServer.BASE_CONFIG.replace("weight: 50", "weight: 7"));
        assertThat(run("config", "reload")).isZero();
        assertThat(out.toString()).contains("reloaded: 2 VIPs");
        assertThat(server.reconciles()).isEqualTo(1);

        Files.writeString(server.configFile, "interface: eth0\nmtu: 1\n");
        assertThat(run("config", "reload")).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("mtu");
        assertThat(server.reconciles()).isEqualTo(1);
    }

    @Test
    void everyCommandHasItsOwnHelp() {
        for (String[] command : new String[][] {{"backend", "--help"}, {"backend", "add", "--help"},
            {"vip", "add", "-h"}, {"stats", "--help"}, {"config", "reload", "--help"}}) {
            StringWriter help = new StringWriter();
            var cli = SluiceCli.commandLine();
            cli.setOut(new PrintWriter(help, true));
            assertThat(cli.execute(command)).as(String.join(" ", command)).isZero();
            assertThat(help.toString()).startsWith("Usage: sluice " + command[0]);
        }
    }

    @Test
    void completionScriptCoversTheCommands() {
        out = new StringWriter();
        var cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("generate-completion")).isZero();
        assertThat(out.toString()).contains("complete -F", "backend", "undrain", "stats");
        StringWriter help = new StringWriter();
        SluiceCli.commandLine().setOut(new PrintWriter(help, true)).execute("--help");
        assertThat(help.toString()).contains("vip", "backend", "stats", "3   the daemon could not be reached")
                .doesNotContain("generate-completion");
    }

    private record CommandLineRun(int exit, String out, String err) {
    }

    private CommandLineRun runWithSocket(Path socket, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--socket=" + socket);
        var cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        return new CommandLineRun(cli.execute(all.toArray(String[]::new)), o.toString(), e.toString());
    }
}
