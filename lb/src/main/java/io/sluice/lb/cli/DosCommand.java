package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice dos list|block|unblock}: the DoS stage's rules, blocks and drops, through the admin API. */
@Command(name = "dos", description = {"Show the DoS rules, blocks and drops; block and unblock source prefixes.",
    "A block without --ttl is permanent and written into dos.deny of the config file; with --ttl it is",
    "temporary, kept in dos.blocks_file across restarts and lifted when the TTL runs out."},
        subcommands = CommandLine.HelpCommand.class)
final class DosCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw Api.usage(spec, "a subcommand is required");
    }

    @Command(name = "list", aliases = "show",
            description = "The allow and deny lists (with hits), the run-time blocks (time left), limits, drops.")
    int list(@Mixin AdminOptions options) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode dos = api.get("/v1/dos");
            if (api.printedJson(dos)) {
                return;
            }
            var out = api.out();
            Table rules = new Table("LIST", "PREFIX", "ORIGIN", "HITS");
            for (JsonNode a : dos.path("allow")) {
                rules.row("allow", a.asText(), "config", "-");
            }
            for (JsonNode d : dos.path("deny")) {
                rules.row("deny", d.path("prefix").asText(), d.path("origin").asText(),
                        d.path("hits").asLong() < 0 ? "-" : d.path("hits").asLong());
            }
            out.println("Rules:");
            if (rules.isEmpty()) {
                out.println("  (no allow or deny entries)");
            } else {
                rules.print(out, "  ");
            }
            Instant now = Instant.now();
            Table blocks = new Table("PREFIX", "ORIGIN", "REASON", "TIME LEFT", "HITS");
            for (JsonNode b : dos.path("blocks")) {
                blocks.row(b.path("prefix").asText(), b.path("origin").asText(), b.path("reason").asText(),
                        timeLeft(b.path("expires_at"), now), b.path("hits").asLong());
            }
            out.println("Blocks:");
            if (blocks.isEmpty()) {
                out.println("  (none)");
            } else {
                blocks.print(out, "  ");
            }
            JsonNode l = dos.path("limits");
            out.printf("Limits: source packets %s, source new flows %s, tcp flags %s, auto block %s%n",
                    rate(l, "source_packet"), rate(l, "source_new_flow"),
                    l.path("tcp_flags").asBoolean() ? "on" : "off",
                    l.path("auto_block_packets_per_second").asLong() > 0
                            ? "over " + l.path("auto_block_packets_per_second").asLong() + " pkt/s for "
                            + l.path("auto_block_seconds").asLong() + "s (max " + l.path("auto_block_max").asInt() + ")"
                            : "off");
            Table drops = new Table("REASON", "PACKETS");
            dos.path("drops").fields().forEachRemaining(e -> drops.row(e.getKey(), e.getValue().asLong()));
            out.println("Drops:");
            drops.print(out, "  ");
        });
    }

    @Command(name = "block", description = {"Block a source prefix (or one address) at the NIC.",
        "Without --ttl: permanent, added to dos.deny in the config file. With --ttl: temporary."})
    int block(@Mixin AdminOptions options,
              @Parameters(paramLabel = "PREFIX", description = "e.g. 203.0.113.0/24, 2001:db8:bad::/48, 198.51.100.7")
              String prefix,
              @Option(names = "--ttl", paramLabel = "DURATION",
                      description = "Lift the block after this long: 90s, 10m, 2h, 1d (at most 7d).") String ttl,
              @Option(names = "--reason", paramLabel = "WORD",
                      description = "Why (one word, logged and listed; only with --ttl).") String reason) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("prefix", prefix);
            if (ttl != null) {
                body.put("ttl", ttl);
            }
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode answer = api.call("POST", "/v1/dos/blocks", AdminJson.write(body));
            if (!api.printedJson(answer)) {
                api.out().println(answer.path("expires_at").isTextual()
                        ? "blocked " + answer.path("prefix").asText() + " until " + answer.path("expires_at").asText()
                        : "blocked " + answer.path("prefix").asText() + " permanently (dos.deny in the config file)");
            }
        });
    }

    @Command(name = "unblock", description = {"Lift a block: from dos.deny in the config file and/or the run-time",
        "blocks (manual or automatic; a source still over the auto_block threshold is blocked again)."})
    int unblock(@Mixin AdminOptions options,
                @Parameters(paramLabel = "PREFIX", description = "As blocked, e.g. 203.0.113.0/24.") String prefix) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode answer = api.call("DELETE", "/v1/dos/blocks/" + Api.encode(prefix), null);
            if (!api.printedJson(answer)) {
                StringBuilder from = new StringBuilder();
                answer.path("removed").forEach(r -> from.append(from.length() == 0 ? "" : ", ").append(r.asText()));
                api.out().println("unblocked " + answer.path("unblocked").asText() + " (" + from + ")");
            }
        });
    }

    /** "10000/s burst 20000"; "100000/s burst 10 (401 with a 4 ms clock)" when the program's clock raises the burst. */
    private static String rate(JsonNode limits, String prefix) {
        long rate = limits.path(prefix + "_rate").asLong();
        long burst = limits.path(prefix + "_burst").asLong();
        long effective = limits.path(prefix + "_effective_burst").asLong();
        if (rate == 0) {
            return "off";
        }
        String text = rate + "/s burst " + burst;
        if (effective > burst) {
            long tickMicros = limits.path("clock_tick_micros").asLong();
            String tick = tickMicros % 1_000 == 0 ? String.valueOf(tickMicros / 1_000) : String.valueOf(tickMicros / 1_000.0);
            text += " (" + effective + " with a " + tick + " ms clock)";
        }
        return text;
    }

    /** "9m 58s", "never" for a block without expiry. */
    static String timeLeft(JsonNode expiresAt, Instant now) {
        if (!expiresAt.isTextual()) {
            return "never";
        }
        try {
            Duration left = Duration.between(now, Instant.parse(expiresAt.asText()));
            if (left.isNegative()) {
                return "0s";
            }
            long s = left.toSeconds();
            if (s >= 86_400) {
                return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
            }
            if (s >= 3600) {
                return (s / 3600) + "h " + (s % 3600 / 60) + "m";
            }
            return s >= 60 ? (s / 60) + "m " + (s % 60) + "s" : s + "s";
        } catch (DateTimeParseException e) {
            return expiresAt.asText();
        }
    }
}
