package io.sluice.lb.cli;

import io.sluice.lb.config.ConfigLimits;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import io.sluice.lb.status.StatusFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice status}: what the daemon is doing, from the status file it keeps: every VIP, every
 * backend with its health, last check, effective weight and counters.
 */
@Command(name = "status", description = {
    "Show the daemon's view: VIPs, backends, health (state, last check, latency), weights and counters.",
    "Reads the status file sluiced rewrites after every change and every second."})
final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--status-file", paramLabel = "FILE", defaultValue = ConfigLimits.DEFAULT_STATUS_FILE,
            description = "The daemon's status file (config key status_file; default: ${DEFAULT-VALUE}).")
    private Path file;

    @Option(names = "--json", description = "Print the status as JSON, for scripts.")
    private boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DaemonStatus status;
        try {
            status = StatusFile.read(file);
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("no status at " + file + ": is sluiced running?");
            return SluiceCli.EXIT_PROBLEM;
        } catch (IOException e) {
            spec.commandLine().getErr().println("cannot read " + file + ": " + e.getMessage());
            return SluiceCli.EXIT_PROBLEM;
        }
        if (json) {
            out.println(StatusFile.toJson(status));
        } else {
            print(out, status);
        }
        boolean alert = status.vips().stream().anyMatch(VipStatus::allBackendsDown);
        return alert ? SluiceCli.EXIT_PROBLEM : SluiceCli.EXIT_OK;
    }

    /** Where the VIPs in force come from: the file, or the fleet's shared document and its version. */
    private static void printConfigSource(PrintWriter out, DaemonStatus.ConfigSource source) {
        if (source == null || source.key() == null) {
            out.println("config source: the local file");
            return;
        }
        out.printf("config source: Consul KV key %s, ModifyIndex %d%s%n", source.key(), source.modifyIndex(),
                "cache".equals(source.loadedFrom()) ? " (from the local cache: Consul was unreachable at startup)" : "");
        if (source.lastRejected() != null) {
            out.printf("  last document rejected at %s (the one above stays in force): %s%n", source.lastRejectedAt(),
                    source.lastRejected());
        }
    }

    private static void print(PrintWriter out, DaemonStatus s) {
        out.printf("sluiced %s on %s (%s), pin dir %s, health checks on %s%n", s.version(), s.interfaceName(),
                s.adopted() ? "adopted a running data plane" : "attached", s.pinDir(), s.healthTransport());
        out.printf("started %s, status of %s%n", s.startedAt(), s.updatedAt());
        printConfigSource(out, s.configSource());
        for (VipStatus vip : s.vips()) {
            out.println();
            String address = vip.address().contains(":") ? "[" + vip.address() + "]" : vip.address();
            out.printf("VIP %s  %s:%d/%s  table %d (%s)  packets %d  new flows %d%s%n", vip.name(), address,
                    vip.port(), vip.protocol(), vip.tableSize(),
                    vip.tableFingerprint() == null ? "-" : vip.tableFingerprint(), vip.packets(), vip.newFlows(),
                    vip.allBackendsDown() ? "  ALERT: all backends down (" + vip.whenAllDown() + ")" : "");
            out.printf("  %-40s %6s %6s %-9s %-9s %9s %10s %9s  %s%n", "backend", "weight", "now", "state", "health",
                    "latency", "packets", "new flows", "last check");
            for (BackendStatus b : vip.backends()) {
                String latency = b.lastCheck() == null ? "-" : String.format(Locale.ROOT, "%.1fms",
                        b.lastCheck().latencyMs());
                String last = b.lastCheck() == null ? (b.check() == null ? "" : "(no result yet)")
                        : (b.lastCheck().passed() ? "ok: " : "failed: ") + b.lastCheck().detail();
                out.printf("  %-40s %6d %6d %-9s %-9s %9s %10d %9d  %s%n", b.address(), b.weight(), b.effectiveWeight(),
                        b.drainState() == null ? "-" : b.drainState(), b.health(), latency, b.packets(), b.newFlows(),
                        last);
                if ("draining".equals(b.drainState()) || "drained".equals(b.drainState())) {
                    out.printf("  %-40s %s since %s (%s)%n", "", b.drainState(), b.drainSince(), b.drainDetail());
                }
            }
        }
    }
}
