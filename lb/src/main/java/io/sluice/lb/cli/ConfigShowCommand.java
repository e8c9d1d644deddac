package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice config show}: the daemon's config file, as the daemon reads it; with consul.kv, the
 * effective config (the file with the fleet's shared document laid in).
 */
@Command(name = "show", description = {"Print the config file the daemon runs (API changes included).",
    "With consul.kv: the effective config, the file with the shared document from Consul KV laid in."})
final class ConfigShowCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions options;

    @Override
    public Integer call() {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode config = api.get("/v1/config");
            if (!api.printedJson(config)) {
                api.out().print(config.path("text").asText());
                api.out().flush(); // print() does not flush, and main exits right after
            }
        });
    }
}
