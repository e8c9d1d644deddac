package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReloadSignalTest {

    /** Run in a child JVM started with SIGHUP ignored (nohup) or at its default. */
    public static void main(String[] args) {
        System.out.println(ReloadSignal.install(() -> { }) ? "installed" : "ignored");
    }

    @Test
    void tellsWhetherTheHandlerTookOrSigHupWasIgnoredAtStartup() throws Exception {
        assertThat(probe("nohup")).isEqualTo("ignored");
        // env resets it: this test's own JVM may run under nohup too.
        assertThat(probe("env", "--default-signal=HUP")).isEqualTo("installed");
    }

    private static String probe(String... launcher) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ReloadSignalTest.class.getName()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
