package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice backend list|add|del|weight|drain|undrain}: a VIP's real servers. */
@Command(name = "backend", description = "List, add, delete, weigh and drain backends (written into the config file).",
        subcommands = CommandLine.HelpCommand.class)
final class BackendCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw Api.usage(spec, "a subcommand is required");
    }

    @Command(name = "list", description = "Backends of one VIP, or of all: weight, health, drain, counters.")
    int list(@Mixin AdminOptions options, @Parameters(paramLabel = "VIP", arity = "0..1") String vip) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode backends = api.get(vip == null ? "/v1/backends" : "/v1/vips/" + Api.encode(vip) + "/backends");
            if (!api.printedJson(backends)) {
                backendTable(backends, true).print(api.out(), "");
            }
        });
    }

    @Command(name = "add", description = "Add a backend to a VIP.")
    int add(@Mixin AdminOptions options, @Parameters(index = "0", paramLabel = "VIP") String vip,
            @Parameters(index = "1", paramLabel = "ADDRESS") String address,
            @Option(names = {"-w", "--weight"}, paramLabel = "0..65535",
                    description = "Its weight (default 100; 0 = no new flows).") Integer weight,
            @Option(names = "--drain", description = "Add it drained (no new flows).") boolean drain) {
        return Api.run(spec, () -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("address", address);
            if (weight != null) {
                body.put("weight", weight);
            }
            if (drain) {
                body.put("drain", true);
            }
            change(options, "POST", "/v1/vips/" + Api.encode(vip) + "/backends", body,
                    "added backend " + address + " to VIP " + vip);
        });
    }

    @Command(name = "del", aliases = "delete",
            description = "Delete a backend from a VIP (its flows move at once: drain first to let them finish).")
    int del(@Mixin AdminOptions options, @Parameters(index = "0", paramLabel = "VIP") String vip,
            @Parameters(index = "1", paramLabel = "ADDRESS") String address) {
        return Api.run(spec, () -> change(options, "DELETE", path(vip, address), null,
                "deleted backend " + address + " from VIP " + vip));
    }

    @Command(name = "weight", description = "Set a backend's weight (0 = no new flows).")
    int weight(@Mixin AdminOptions options, @Parameters(index = "0", paramLabel = "VIP") String vip,
               @Parameters(index = "1", paramLabel = "ADDRESS") String address,
               @Parameters(index = "2", paramLabel = "WEIGHT") int weight) {
        return Api.run(spec, () -> change(options, "PATCH", path(vip, address),
                JsonNodeFactory.instance.objectNode().put("weight", weight),
                "backend " + address + " of VIP " + vip + ": weight " + weight));
    }

    @Command(name = "drain", description = "Drain a backend: no new flows, established flows finish.")
    int drain(@Mixin AdminOptions options, @Parameters(index = "0", paramLabel = "VIP") String vip,
              @Parameters(index = "1", paramLabel = "ADDRESS") String address) {
        return Api.run(spec, () -> change(options, "PATCH", path(vip, address),
                JsonNodeFactory.instance.objectNode().put("drain", true),
                "backend " + address + " of VIP " + vip + ": draining"));
    }

    @Command(name = "undrain", description = "Put a drained backend back in service.")
    int undrain(@Mixin AdminOptions options, @Parameters(index = "0", paramLabel = "VIP") String vip,
                @Parameters(index = "1", paramLabel = "ADDRESS") String address) {
        return Api.run(spec, () -> change(options, "PATCH", path(vip, address),
                JsonNodeFactory.instance.objectNode().put("drain", false),
                "backend " + address + " of VIP " + vip + ": in service"));
    }

    private void change(AdminOptions options, String method, String path, ObjectNode body, String done)
            throws Api.Refused, Api.Unreachable {
        Api api = new Api(spec, options);
        JsonNode answer = api.call(method, path, body == null ? null : AdminJson.write(body));
        if (!api.printedJson(answer)) {
            api.out().println(done);
        }
    }

    private static String path(String vip, String address) {
        return "/v1/vips/" + Api.encode(vip) + "/backends/" + Api.encode(address);
    }

    /** "10.0.2.11" or "10.0.2.11=50" (ADDRESS=WEIGHT; an IPv6 address has no '='). */
    static ObjectNode backendNode(CommandSpec spec, String text) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        int eq = text.indexOf('=');
        if (eq < 0) {
            return node.put("address", text);
        }
        try {
            return node.put("address", text.substring(0, eq)).put("weight", Integer.parseInt(text.substring(eq + 1)));
        } catch (NumberFormatException e) {
            throw Api.usage(spec, "--backend " + text + ": expected ADDRESS or ADDRESS=WEIGHT");
        }
    }

    static Table backendTable(JsonNode backends, boolean withVip) {
        Table table = withVip
                ? new Table("VIP", "BACKEND", "WEIGHT", "NOW", "STATE", "HEALTH", "LATENCY", "PACKETS", "NEW FLOWS",
                        "LAST CHECK")
                : new Table("BACKEND", "WEIGHT", "NOW", "STATE", "HEALTH", "LATENCY", "PACKETS", "NEW FLOWS",
                        "LAST CHECK");
        for (JsonNode b : backends) {
            JsonNode last = b.path("last_check");
            String latency = last.isObject() ? String.format(Locale.ROOT, "%.1fms", last.path("latency_ms").asDouble())
                    : "-";
            String lastText = last.isObject() ? (last.path("passed").asBoolean() ? "ok: " : "failed: ")
                    + last.path("detail").asText() : "";
            Object[] cells = {b.path("address").asText(), b.path("weight").asInt(), b.path("effective_weight").asInt(),
                b.path("drain_state").asText(b.path("drain").asBoolean() ? "draining" : "active"), b.path("health").asText(), latency,
                b.path("packets").asLong(), b.path("new_flows").asLong(), lastText};
            if (withVip) {
                Object[] withName = new Object[cells.length + 1];
                withName[0] = b.path("vip").asText();
                System.arraycopy(cells, 0, withName, 1, cells.length);
                cells = withName;
            }
            table.row(cells);
        }
        return table;
    }
}
