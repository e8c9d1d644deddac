package io.sluice.lb.cli;

import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice config check FILE}: the daemon's own validation, every problem listed. */
@Command(name = "check", description = "Validate FILE as sluiced would; list every problem (exit 1 if any).")
final class ConfigCheckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", defaultValue = "/etc/sluice/sluice.yaml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    private Path file;

    @Override
    public Integer call() {
        try {
            SluiceConfig config = ConfigLoader.load(file);
            spec.commandLine().getOut().println(file + ": OK (" + config.vips().size() + " VIPs)");
            return SluiceCli.EXIT_OK;
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(file + ": invalid");
            spec.commandLine().getErr().println(e.getMessage());
            return SluiceCli.EXIT_PROBLEM;
        }
    }
}
