package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice vip list|show|add|del}: the virtual services, through the daemon's admin API. */
@Command(name = "vip", description = "List, show, add and delete VIPs (changes are written into the config file).",
        subcommands = CommandLine.HelpCommand.class)
final class VipCommand implements Runnable {
    private static final int SHORT_FINGERPRINT = 8;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw Api.usage(spec, "a subcommand is required");
    }

    @Command(name = "list", description = "Every VIP: address, backends in the table, counters, alerts.")
    int list(@Mixin AdminOptions options) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode vips = api.get("/v1/vips");
            if (api.printedJson(vips)) {
                return;
            }
            Table table = new Table("NAME", "SERVICE", "TABLE", "FINGERPRINT", "BACKENDS", "IN TABLE", "PACKETS",
                    "NEW FLOWS", "STATE");
            for (JsonNode v : vips) {
                long inTable = 0;
                for (JsonNode b : v.path("backends")) {
                    inTable += b.path("in_table").asBoolean() ? 1 : 0;
                }
                table.row(v.path("name").asText(), service(v), v.path("table_size").asInt(),
                        shortFingerprint(v.path("table_fingerprint").asText(null)), v.path("backends").size(),
                        inTable, v.path("packets").asLong(), v.path("new_flows").asLong(),
                        v.path("all_backends_down").asBoolean() ? "ALERT all down (" + v.path("when_all_down").asText()
                                + ")" : "ok");
            }
            table.print(api.out(), "");
        });
    }

    @Command(name = "show", description = "One VIP and its backends.")
    int show(@Mixin AdminOptions options, @Parameters(paramLabel = "NAME") String name) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode v = api.get("/v1/vips/" + Api.encode(name));
            if (api.printedJson(v)) {
                return;
            }
            api.out().printf("VIP %s  %s  table %d (%s)  when_all_down %s  slow_start %s  packets %d  new flows %d%n",
                    v.path("name").asText(), service(v), v.path("table_size").asInt(),
                    v.path("table_fingerprint").asText("-"), v.path("when_all_down").asText(),
                    v.path("slow_start").asText(), v.path("packets").asLong(), v.path("new_flows").asLong());
            BackendCommand.backendTable(v.path("backends"), false).print(api.out(), "  ");
        });
    }

    @Command(name = "add", description = {"Add a VIP. Options set its keys as in the config file; --spec starts",
        "from a YAML/JSON file holding the VIP mapping (health_check etc.), the options override it."})
    int add(@Mixin AdminOptions options,
            @Parameters(index = "0", paramLabel = "NAME") String name,
            @Parameters(index = "1", paramLabel = "ADDRESS", description = "The VIP's IPv4 or IPv6 address.")
            String address,
            @Parameters(index = "2", paramLabel = "PORT") int port,
            @Option(names = "--protocol", paramLabel = "tcp|udp", description = "Default tcp.") String protocol,
            @Option(names = "--table-size", paramLabel = "PRIME",
                    description = "Maglev table size (default 65537).") Integer tableSize,
            @Option(names = "--when-all-down", paramLabel = "fail_open|fail_closed",
                    description = "What the VIP does when every checked backend is down.") String whenAllDown,
            @Option(names = "--slow-start", paramLabel = "DURATION",
                    description = "Ramp time of a backend that comes up (e.g. 30s).") String slowStart,
            @Option(names = {"-b", "--backend"}, paramLabel = "ADDRESS[=WEIGHT]",
                    description = "A backend (repeat for more).") List<String> backends,
            @Option(names = "--spec", paramLabel = "FILE",
                    description = "A YAML/JSON file with the VIP mapping (health_check, ...).") Path specFile) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            ObjectNode vip = specFile == null ? JsonNodeFactory.instance.objectNode() : readSpec(specFile);
            vip.put("name", name).put("address", address).put("port", port);
            if (protocol != null) {
                vip.put("protocol", protocol);
            }
            if (tableSize != null) {
                vip.put("table_size", tableSize);
            }
            if (whenAllDown != null) {
                vip.put("when_all_down", whenAllDown);
            }
            if (slowStart != null) {
                vip.put("slow_start", slowStart);
            }
            if (backends != null) {
                var list = vip.putArray("backends");
                for (String b : backends) {
                    list.add(BackendCommand.backendNode(spec, b));
                }
            }
            JsonNode added = api.call("POST", "/v1/vips", AdminJson.write(vip));
            if (!api.printedJson(added)) {
                api.out().printf("added VIP %s %s with %d backends%n", name, service(added),
                        added.path("backends").size());
            }
        });
    }

    @Command(name = "del", aliases = "delete", description = "Delete a VIP: new packets to it pass to the host.")
    int del(@Mixin AdminOptions options, @Parameters(paramLabel = "NAME") String name) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode answer = api.call("DELETE", "/v1/vips/" + Api.encode(name), null);
            if (!api.printedJson(answer)) {
                api.out().println("deleted VIP " + name);
            }
        });
    }

    /**
     * The first 8 of the fingerprint's 16 hex digits, as git shortens a hash: enough to tell tables
     * apart on one screen; `vip show`, `status` and `fleet check` print all 16.
     */
    static String shortFingerprint(String fingerprint) {
        return fingerprint == null || fingerprint.length() <= SHORT_FINGERPRINT ? fingerprint
                : fingerprint.substring(0, SHORT_FINGERPRINT);
    }

    static String service(JsonNode v) {
        String address = v.path("address").asText();
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + v.path("port").asInt() + "/"
                + v.path("protocol").asText();
    }

    private ObjectNode readSpec(Path file) throws IOException {
        JsonNode node = AdminJson.YAML.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw Api.usage(spec, "--spec " + file + ": must hold one VIP mapping");
        }
        return (ObjectNode) node;
    }
}
