package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice config reload}: the daemon re-reads its file; unlike SIGHUP, the answer says how it went. */
@Command(name = "reload", description = {"Make the daemon re-read its config file and apply it in one reconcile.",
    "An invalid file is refused with every problem listed (exit 1), and nothing changes."})
final class ConfigReloadCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private AdminOptions options;

    @Override
    public Integer call() {
        return Api.run(spec, () -> {
            Api api = new Api(spec, options);
            JsonNode answer = api.call("POST", "/v1/config/reload", null);
            if (!api.printedJson(answer)) {
                api.out().println("reloaded: " + answer.path("vips").asInt() + " VIPs");
            }
        });
    }
}
