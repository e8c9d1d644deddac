package io.sluice.lb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.CheckStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import io.sluice.lb.status.StatusFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatusCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsEveryBackendWithItsHealthAndLastCheck() throws Exception {
        Path file = dir.resolve("status.json");
        StatusFile.write(file, status(false));

        Run run = run("status", "--status-file", file.toString());

        assertThat(run.exit).isZero();
        assertThat(run.out).contains("VIP web  10.100.0.1:80/tcp  table 65537 (3f2a9c0d1e4b5a67)")
                .containsPattern("10\\.0\\.2\\.11\\s+100\\s+100\\s+active\\s+up\\s+1\\.5ms\\s+42")
                .containsPattern("10\\.0\\.2\\.12\\s+100\\s+0\\s+draining\\s+down\\s+1000\\.0ms")
                .contains("draining since 2026-11-23T00:00:02Z (config)")
                .contains("failed: connection refused")
                .doesNotContain("ALERT");
    }

    @Test
    void allBackendsDownIsAnAlertAndExitsOne() throws Exception {
        Path file = dir.resolve("status.json");
        StatusFile.write(file, status(true));

        Run run = run("status", "--status-file", file.toString());

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.out).contains("ALERT: all backends down (fail_open)");
    }

    @Test
    void jsonRoundTripsTheFile() throws Exception {
        Path file = dir.resolve("status.json");
        DaemonStatus written = status(false);
        StatusFile.write(file, written);

        Run run = run("status", "--json", "--status-file", file.toString());

        assertThat(run.out).contains("\"effective_weight\"").contains("\"last_check\"")
                .contains("\"drain_state\" : \"draining\"");
        Path copy = dir.resolve("copy.json");
        java.nio.file.Files.writeString(copy, run.out);
        assertThat(StatusFile.read(copy)).isEqualTo(written);
    }

    @Test
    void theConfigSourceAndTheKvModifyIndexInForceAreShown() throws Exception {
        Path file = dir.resolve("status.json");
        DaemonStatus kv = status(false).withConfigSource(new DaemonStatus.ConfigSource("consul_kv",
                "fleets/edge-a/config", 1234, "cache", "schema: vips[0].port: must be in 1..65535, got 0",
                "2026-11-23T00:00:05Z"));
        StatusFile.write(file, kv);

        Run run = run("status", "--status-file", file.toString());

        assertThat(run.out).contains("config source: Consul KV key fleets/edge-a/config, ModifyIndex 1234 (from the "
                + "local cache: Consul was unreachable at startup)")
                .contains("last document rejected at 2026-11-23T00:00:05Z (the one above stays in force): schema: "
                        + "vips[0].port");
        assertThat(StatusFile.read(file)).isEqualTo(kv);

        StatusFile.write(file, status(false).withConfigSource(DaemonStatus.ConfigSource.FILE));
        assertThat(run("status", "--status-file", file.toString()).out).contains("config source: the local file");
    }

    @Test
    void missingFileSaysTheDaemonMayNotRun() {
        Run run = run("status", "--status-file", dir.resolve("absent.json").toString());

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.err).contains("is sluiced running?");
    }

    private static DaemonStatus status(boolean allDown) {
        BackendStatus up = new BackendStatus("10.0.2.11", 100, 100, true, "up", null, "tcp :80",
                new CheckStatus(true, "2026-11-23T00:00:00Z", 1.5, "connected"), 42, 4200, 7, "active", null, null);
        BackendStatus down = new BackendStatus("10.0.2.12", 100, 0, false, "down", "2026-11-23T00:00:01Z", "tcp :80",
                new CheckStatus(false, "2026-11-23T00:00:01Z", 1000.0, "connection refused"), 0, 0, 0, "draining", "2026-11-23T00:00:02Z", "config");
        VipStatus web = new VipStatus("web", "10.100.0.1", 80, "tcp", 65537, "3f2a9c0d1e4b5a67", allDown, "fail_open",
                42, 4200, 7,
                List.of(up, down));
        return new DaemonStatus("0.1.0", "eth0", "/sys/fs/bpf/sluice", false, "2026-11-23T00:00:00Z",
                "2026-11-23T00:00:02Z", "io_uring", List.of(web), Map.of("tx_forwarded", 42L));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
