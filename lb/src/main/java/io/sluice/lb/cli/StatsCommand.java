package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice stats}: the data plane's counters; with {@code --watch}, a live view of packets/s,
 * new flows/s and drops/s per VIP and backend. Rates are taken between two of the daemon's
 * snapshots (it sums the per-CPU counters once a second), so they are exact over the interval.
 */
@Command(name = "stats", description = {"Packets, bytes and new flows per VIP and backend, and every drop reason.",
    "--watch refreshes a live view of rates (packets/s, drops/s) until --count frames or Ctrl-C."})
final class StatsCommand implements java.util.concurrent.Callable<Integer> {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";
    private static final String DROP_PREFIX = "drop_";
    /** The daemon refreshes its counters every second: this many samples without a refresh means it is stuck. */
    private static final int MAX_STALE_SAMPLES = 10;

    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions options;

    @Option(names = {"-w", "--watch"}, description = "Refresh a live view of rates.")
    private boolean watch;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", defaultValue = "1",
            description = "Seconds between frames with --watch (default: ${DEFAULT-VALUE}).")
    private int intervalSeconds;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "0",
            description = "Stop after N frames with --watch (0 = until Ctrl-C).")
    private int count;

    @Override
    public Integer call() {
        if (intervalSeconds < 1 || count < 0) {
            throw Api.usage(spec, "--interval must be at least 1 and --count at least 0");
        }
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode previous = api.get("/v1/stats");
            if (!watch) {
                if (!api.printedJson(previous)) {
                    totals(api.out(), previous);
                }
                return;
            }
            boolean terminal = System.console() != null && !options.json;
            int stale = 0;
            for (int frame = 0; count == 0 || frame < count; ) {
                sleep();
                JsonNode now = api.get("/v1/stats");
                double seconds = seconds(previous, now);
                if (seconds <= 0) {
                    if (++stale >= MAX_STALE_SAMPLES) {
                        throw new java.io.IOException("the daemon has not refreshed its counters for "
                                + stale * intervalSeconds + "s");
                    }
                    continue; // not refreshed since the last sample
                }
                stale = 0;
                if (options.json) {
                    api.out().println(AdminJson.JSON.copy().disable(com.fasterxml.jackson.databind.SerializationFeature
                            .INDENT_OUTPUT).writeValueAsString(rates(previous, now, seconds)));
                } else {
                    if (terminal) {
                        api.out().print(CLEAR_SCREEN);
                    } else if (frame > 0) {
                        api.out().println();
                    }
                    rateView(api.out(), previous, now, seconds);
                }
                api.out().flush();
                previous = now;
                frame++;
            }
        });
    }

    private void sleep() throws java.io.IOException {
        try {
            Thread.sleep(Duration.ofSeconds(intervalSeconds).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted");
        }
    }

    private static double seconds(JsonNode before, JsonNode after) {
        Instant a = Instant.parse(before.path("updated_at").asText());
        Instant b = Instant.parse(after.path("updated_at").asText());
        return Duration.between(a, b).toNanos() / 1e9;
    }

    private static void totals(PrintWriter out, JsonNode stats) {
        Table table = new Table("VIP", "BACKEND", "PACKETS", "BYTES", "NEW FLOWS");
        for (JsonNode v : stats.path("vips")) {
            table.row(v.path("name").asText(), "*", v.path("packets").asLong(), v.path("bytes").asLong(),
                    v.path("new_flows").asLong());
            for (JsonNode b : v.path("backends")) {
                table.row("", b.path("address").asText(), b.path("packets").asLong(), b.path("bytes").asLong(),
                        b.path("new_flows").asLong());
            }
        }
        table.print(out, "");
        out.println();
        Table reasons = new Table("PACKETS BY OUTCOME", "COUNT");
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("packets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            reasons.row(e.getKey(), e.getValue().asLong());
        }
        reasons.print(out, "");
        out.printf("(counters as of %s)%n", stats.path("updated_at").asText());
    }

    private static void rateView(PrintWriter out, JsonNode before, JsonNode now, double seconds) {
        out.printf("sluice stats  %s  (rates over %.1fs)%n%n", now.path("updated_at").asText(), seconds);
        Table table = new Table("VIP", "BACKEND", "PKTS/S", "MBIT/S", "NEW FLOWS/S", "PACKETS");
        for (JsonNode v : now.path("vips")) {
            JsonNode pv = find(before.path("vips"), "name", v.path("name").asText());
            table.row(v.path("name").asText(), "*", rate(v, pv, "packets", seconds), mbit(v, pv, seconds),
                    rate(v, pv, "new_flows", seconds), v.path("packets").asLong());
            for (JsonNode b : v.path("backends")) {
                JsonNode pb = find(pv.path("backends"), "address", b.path("address").asText());
                table.row("", b.path("address").asText(), rate(b, pb, "packets", seconds), mbit(b, pb, seconds),
                        rate(b, pb, "new_flows", seconds), b.path("packets").asLong());
            }
        }
        table.print(out, "");
        out.println();
        Table drops = new Table("DROP REASON", "DROPS/S", "TOTAL");
        for (Iterator<Map.Entry<String, JsonNode>> it = now.path("packets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(DROP_PREFIX)) {
                long delta = e.getValue().asLong() - before.path("packets").path(e.getKey()).asLong(0);
                drops.row(e.getKey(), format(Math.max(0, delta) / seconds), e.getValue().asLong());
            }
        }
        drops.print(out, "");
    }

    private static ObjectNode rates(JsonNode before, JsonNode now, double seconds) {
        ObjectNode frame = JsonNodeFactory.instance.objectNode();
        frame.put("updated_at", now.path("updated_at").asText()).put("seconds", seconds);
        var vips = frame.putArray("vips");
        for (JsonNode v : now.path("vips")) {
            JsonNode pv = find(before.path("vips"), "name", v.path("name").asText());
            ObjectNode vo = vips.addObject().put("name", v.path("name").asText())
                    .put("packets_per_second", delta(v, pv, "packets") / seconds)
                    .put("new_flows_per_second", delta(v, pv, "new_flows") / seconds);
            var backends = vo.putArray("backends");
            for (JsonNode b : v.path("backends")) {
                JsonNode pb = find(pv.path("backends"), "address", b.path("address").asText());
                backends.addObject().put("address", b.path("address").asText())
                        .put("packets_per_second", delta(b, pb, "packets") / seconds)
                        .put("new_flows_per_second", delta(b, pb, "new_flows") / seconds);
            }
        }
        ObjectNode drops = frame.putObject("drops_per_second");
        for (Iterator<Map.Entry<String, JsonNode>> it = now.path("packets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(DROP_PREFIX)) {
                drops.put(e.getKey(), Math.max(0, e.getValue().asLong() - before.path("packets").path(e.getKey())
                        .asLong(0)) / seconds);
            }
        }
        return frame;
    }

    private static JsonNode find(JsonNode list, String key, String value) {
        for (JsonNode n : list) {
            if (n.path(key).asText().equals(value)) {
                return n;
            }
        }
        return JsonNodeFactory.instance.objectNode();
    }

    /** A counter's growth; a counter that went back (VIP re-created) counts from zero. */
    private static long delta(JsonNode now, JsonNode before, String field) {
        long d = now.path(field).asLong() - before.path(field).asLong(0);
        return d < 0 ? now.path(field).asLong() : d;
    }

    private static String rate(JsonNode now, JsonNode before, String field, double seconds) {
        return format(delta(now, before, field) / seconds);
    }

    private static String mbit(JsonNode now, JsonNode before, double seconds) {
        return String.format(Locale.ROOT, "%.2f", delta(now, before, "bytes") * 8 / seconds / 1e6);
    }

    private static String format(double perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }
}
