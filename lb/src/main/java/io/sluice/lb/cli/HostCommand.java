package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice host show|drain|undrain}: this LB host in the fleet, as BGP announces it (docs/bgp.md). */
@Command(name = "host", description = {"Show, drain or undrain this LB host: a drained host withdraws every VIP",
    "over BGP (the router's ECMP moves its flows to the other hosts); the drain survives a restart."},
        subcommands = CommandLine.HelpCommand.class)
final class HostCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw Api.usage(spec, "a subcommand is required");
    }

    @Command(name = "show", description = "Whether the host is drained, and each VIP address: announced or why not.")
    int show(@Mixin AdminOptions options) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            print(api, api.get("/v1/host"));
        });
    }

    @Command(name = "drain", description = "Withdraw every VIP of this host (BGP); the data plane keeps forwarding"
            + " what still arrives.")
    int drain(@Mixin AdminOptions options) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            print(api, api.call("POST", "/v1/host/drain", "{}"));
        });
    }

    @Command(name = "undrain", description = "Announce this host's VIPs again (those with a healthy backend).")
    int undrain(@Mixin AdminOptions options) {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            print(api, api.call("POST", "/v1/host/undrain", "{}"));
        });
    }

    private static void print(Api api, JsonNode host) {
        if (api.printedJson(host)) {
            return;
        }
        if (!host.path("bgp").asBoolean()) {
            api.out().println("bgp off: this host announces nothing (config section bgp:)");
            return;
        }
        api.out().printf("host %s%s%n", host.path("drained").asBoolean() ? "DRAINED" : "serving",
                host.hasNonNull("since") ? " since " + host.path("since").asText() : "");
        Table table = new Table("VIP ADDRESS", "BGP");
        for (Iterator<Map.Entry<String, JsonNode>> it = host.path("vips").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            table.row(e.getKey(), e.getValue().asText());
        }
        table.print(api.out(), "");
    }
}
