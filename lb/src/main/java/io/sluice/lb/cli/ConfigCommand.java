package io.sluice.lb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice config ...}: check files locally; show and reload the daemon's through its admin API. */
@Command(name = "config", description = "Check a sluice.yaml file; show or reload the daemon's.",
        subcommands = {ConfigCheckCommand.class, ConfigShowCommand.class, ConfigReloadCommand.class,
            CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
