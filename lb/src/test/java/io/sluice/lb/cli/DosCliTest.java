package io.sluice.lb.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.admin.AdminJson;
import io.sluice.lb.admin.DosTestStage;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.testing.packet.BalancerRig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice dos list|block|unblock} against a real admin server over a real DoS stage. */
class DosCliTest {
    private static final int EXIT_USAGE = 2;
    private static final String ATTACKER = "198.51.100.7";

    @TempDir
    Path dir;

    private DosTestStage stage;
    private String initialConfig;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(BalancerRig.isRoot(), "BPF needs root");
        stage = new DosTestStage(dir);
        initialConfig = stage.server.fileText();
    }

    @AfterEach
    void stop() {
        if (stage != null) {
            stage.close();
        }
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--socket=" + stage.server.socket);
        var cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all.toArray(String[]::new));
    }

    private void assertNothingChanged() throws Exception {
        assertThat(stage.server.fileText()).isEqualTo(initialConfig);
        assertThat(stage.server.reconciles()).isZero();
        assertThat(stage.service().blocks()).isEmpty();
        assertThat(Files.exists(stage.blocksFile)).isFalse();
    }

    @Test
    void listShowsRulesBlocksWithTimeLeftAndDrops() throws Exception {
        stage.syn("203.0.113.5");
        assertThat(run("dos", "block", ATTACKER, "--ttl", "10m", "--reason", "ticket-9")).as(err.toString()).isZero();
        assertThat(run("dos", "list")).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("Rules:", "allow", "192.0.2.0/24", "deny", "203.0.113.0/24", "config");
        assertThat(text).contains("Blocks:", ATTACKER + "/32", "manual", "ticket-9");
        assertThat(text).containsPattern("(9m [0-9]+s|10m 0s)"); // time left, not an absolute time
        assertThat(text).contains("Drops:", "drop_deny_list");
        assertThat(text).containsPattern("drop_deny_list +1");
        assertThat(text).as("a burst the program's clock raises says so")
                .containsPattern("source packets 100000/s burst 10 \\([0-9]+ with a [0-9.]+ ms clock\\)")
                .contains("source new flows 200/s burst 400,");
    }

    @Test
    void listJsonIsTheApisAnswer() throws Exception {
        assertThat(run("dos", "list", "--json")).isZero();
        JsonNode dos = AdminJson.JSON.readTree(out.toString());
        assertThat(dos.path("deny").findValuesAsText("prefix")).containsExactly("203.0.113.0/24");
        assertThat(dos.has("limits")).isTrue();
    }

    @Test
    void blockWithTtlThenUnblock() throws Exception {
        assertThat(run("dos", "block", "198.51.100.0/24", "--ttl", "90s")).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("blocked 198.51.100.0/24 until ");
        Instant until = Instant.parse(out.toString().trim().substring("blocked 198.51.100.0/24 until ".length()));
        assertThat(until).isAfter(Instant.now().plusSeconds(80));
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        assertThat(stage.server.fileText()).isEqualTo(initialConfig);

        assertThat(run("dos", "unblock", "198.51.100.0/24")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("unblocked 198.51.100.0/24 (manual)");
        assertThat(stage.syn(ATTACKER)).isEqualTo(XdpAction.PASS);
    }

    @Test
    void blockWithoutTtlIsWrittenIntoTheConfig() throws Exception {
        assertThat(run("dos", "block", "2001:db8:bad::/48")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("blocked 2001:db8:bad::/48 permanently");
        assertThat(stage.server.fileText()).contains("2001:db8:bad::/48");
        assertThat(run("dos", "unblock", "2001:db8:bad::/48", "--json")).as(err.toString()).isZero();
        assertThat(AdminJson.JSON.readTree(out.toString()).path("removed").get(0).asText()).isEqualTo("config");
        assertThat(stage.server.fileText()).doesNotContain("2001:db8:bad");
    }

    @Test
    void badInputExitsOneNamingTheFieldAndChangesNothing() throws Exception {
        assertThat(run("dos", "block", "198.51.100.1/24")).isEqualTo(1);
        assertThat(err.toString()).contains("prefix", "host bits");
        assertThat(run("dos", "block", "192.0.2.9", "--ttl", "5m")).isEqualTo(1);
        assertThat(err.toString()).contains("prefix", "dos.allow");
        assertThat(run("dos", "block", ATTACKER, "--ttl", "forever")).isEqualTo(1);
        assertThat(err.toString()).contains("ttl");
        assertThat(run("dos", "block", ATTACKER, "--ttl", "5m", "--reason", "a b")).isEqualTo(1);
        assertThat(err.toString()).contains("reason");
        assertThat(run("dos", "unblock", ATTACKER)).isEqualTo(1);
        assertThat(err.toString()).contains("not blocked", "HTTP 404");
        assertThat(run("dos", "block")).isEqualTo(EXIT_USAGE);
        assertNothingChanged();
    }

    @Test
    void anUnreachableDaemonExitsThree() {
        out = new StringWriter();
        err = new StringWriter();
        var cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("dos", "list", "--socket=" + dir.resolve("nobody.sock"))).isEqualTo(3);
        assertThat(err.toString()).contains("cannot reach sluiced");
    }
}
