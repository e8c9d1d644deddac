package io.sluice.lb.cli;

import io.sluice.lb.daemon.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice version}: the installed version, and the Java runtime it runs on. */
@Command(name = "version", description = "Print the sluice version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new Version.Provider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return SluiceCli.EXIT_OK;
    }
}
