package io.sluice.health.check;

import java.util.List;

/**
 * Runs an external program (keepalived's MISC_CHECK): exit code 0 passes. It is killed when the
 * check's timeout expires. The environment carries SLUICE_CHECK_ADDRESS and SLUICE_CHECK_PORT.
 */
public record CommandCheck(List<String> command) implements CheckKind {
    public static final String ADDRESS_VARIABLE = "SLUICE_CHECK_ADDRESS";
    public static final String PORT_VARIABLE = "SLUICE_CHECK_PORT";

    public CommandCheck {
        command = List.copyOf(command);
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("command check needs a program");
        }
    }

    public static CommandCheck of(String... argv) {
        return new CommandCheck(List.of(argv));
    }

    @Override
    public String name() {
        return "command";
    }
}
