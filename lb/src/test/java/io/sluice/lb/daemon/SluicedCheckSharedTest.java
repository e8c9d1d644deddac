package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluiced --check-config FILE --shared-document YAML}: a document checked before it goes to Consul KV. */
class SluicedCheckSharedTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run sluiced(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new Sluiced()).execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aDocumentIsCheckedAgainstTheHostsFile() throws Exception {
        Path file = Files.writeString(dir.resolve("sluice.yaml"), """
                interface: eth0
                encap: {source_v4: 172.16.0.0/16}
                consul: {kv: {prefix: fleets/a}}
                """);
        Path good = Files.writeString(dir.resolve("good.yaml"), """
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: 10.0.2.1}]}
                """);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: "fd00::1"}]}
                """);

        Run alone = sluiced("--check-config", file.toString());
        assertThat(alone.exit()).isZero();
        assertThat(alone.out()).contains("VIPs and DoS rules come from Consul KV key fleets/a/config");

        Run ok = sluiced("--check-config", file.toString(), "--shared-document", good.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains(good + ": OK with " + file + " (1 VIPs)");

        Run refused = sluiced("--check-config", file.toString(), "--shared-document", bad.toString());
        assertThat(refused.exit()).isEqualTo(Sluiced.EXIT_BAD_CONFIG);
        assertThat(refused.err()).contains(bad + ": invalid")
                .contains("encap.source_v6: required: vips[0].backends[0] is an IPv6 backend");
    }
}
