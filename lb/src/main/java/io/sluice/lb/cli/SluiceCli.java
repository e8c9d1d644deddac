package io.sluice.lb.cli;

import io.sluice.lb.daemon.Version;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} operator command. Each subcommand is its own class so the admin-API
 * commands (status, drain, ...) plug in next to these without touching the others.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "Operate the sluice XDP load balancer.",
        subcommands = {StatusCommand.class, VipCommand.class, BackendCommand.class, DosCommand.class,
            StatsCommand.class, ConfigCommand.class, FleetCommand.class, HostCommand.class, VersionCommand.class,
            CommandLine.HelpCommand.class,
            AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the daemon refused the change or reported an error, or the command found a problem (an invalid config)",
            "2:bad command line",
            "3:the daemon could not be reached (not running, wrong --socket, no permission); for fleet check: Consul"})
public final class SluiceCli implements Runnable {
    static final int EXIT_OK = 0;
    static final int EXIT_PROBLEM = 1;
    static final int EXIT_UNREACHABLE = 3;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** No subcommand: show the usage, as a bad command line. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The command line with every subcommand wired, for main and for tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SluiceCli());
        addHelpOptions(cli);
        // `sluice generate-completion` prints the bash/zsh completion script the package installs.
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
        return cli;
    }

    /** -h/--help on every command and subcommand, so `sluice backend add --help` reads its usage. */
    private static void addHelpOptions(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            // findOption: an alias (del/delete) lists the same command twice
            if (sub.getCommandSpec().findOption("--help") == null
                    && !(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            addHelpOptions(sub);
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
