package io.sluice.lb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sluice config ...}: work with sluice.yaml files without touching the daemon. */
@Command(name = "config", description = "Work with sluice.yaml files.",
        subcommands = {ConfigCheckCommand.class, CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
