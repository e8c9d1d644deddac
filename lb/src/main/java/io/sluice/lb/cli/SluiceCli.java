package io.sluice.lb.cli;

import io.sluice.lb.daemon.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} operator command. Each subcommand is its own class so the admin-API
 * commands (status, drain, ...) plug in next to these without touching the others.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Operate the sluice XDP load balancer.",
        subcommands = {StatusCommand.class, VersionCommand.class, ConfigCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the command ran and found a problem (e.g. an invalid config)",
            "2:bad command line"})
public final class SluiceCli implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_PROBLEM = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** No subcommand: show the usage, as a bad command line. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The command line with every subcommand wired, for main and for tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new SluiceCli());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
