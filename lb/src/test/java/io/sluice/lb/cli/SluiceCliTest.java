package io.sluice.lb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SluiceCliTest {
    private static final int EXIT_USAGE = 2;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void versionNamesSluiceAndTheRuntime() {
        assertThat(run("version")).isEqualTo(SluiceCli.EXIT_OK);
        assertThat(out.toString()).startsWith("sluice ").contains("Java " + Runtime.version().feature());
    }

    @Test
    void validConfigPassesAndCountsVips() throws IOException {
        Path file = write("ok.yaml", String.join("\n",
                "interface: eth0",
                "encap: { source_v4: 172.16.0.0/16 }",
                "vips:",
                "  - name: web",
                "    address: 10.100.0.1",
                "    port: 80",
                "    table_size: 7",
                "    backends:",
                "      - address: 10.0.2.11",
                ""));

        assertThat(run("config", "check", file.toString())).isEqualTo(SluiceCli.EXIT_OK);
        assertThat(out.toString()).contains(file + ": OK (1 VIPs)");
    }

    @Test
    void invalidConfigFailsAndNamesEveryBadKey() throws IOException {
        Path file = write("bad.yaml", "interface: eth0\nmtu: 99\nno_such_key: 1\n");

        assertThat(run("config", "check", file.toString())).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("invalid").contains("mtu").contains("no_such_key");
    }

    @Test
    void missingFileIsAProblemNotACrash() {
        Path file = dir.resolve("absent.yaml");

        assertThat(run("config", "check", file.toString())).isEqualTo(SluiceCli.EXIT_PROBLEM);
        assertThat(err.toString()).contains("absent.yaml");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(EXIT_USAGE);
        assertThat(err.toString()).contains("subcommand");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(EXIT_USAGE);
    }
}
