package io.sluice.health.command;

import static io.sluice.health.EngineTestSupport.await;
import static io.sluice.health.EngineTestSupport.firstResult;
import static io.sluice.health.EngineTestSupport.loopback;
import static io.sluice.health.EngineTestSupport.quick;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.EngineTestSupport.Recorder;
import io.sluice.health.HealthEngine;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CommandCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandCheckEngineTest {
    private static final int PORT = 4242;

    @TempDir
    Path dir;
    private HealthEngine engine;

    @BeforeEach
    void start() {
        engine = HealthEngine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private CheckResult run(Duration timeout, String script) {
        return firstResult(engine.watch(loopback(PORT),
                quick(CommandCheck.of("/bin/sh", "-c", script)).withTimeout(timeout), new Recorder()));
    }

    @Test
    void exitZeroPasses() {
        CheckResult result = run(Duration.ofSeconds(5), "exit 0");
        assertThat(result.passed()).isTrue();
        assertThat(result.detail()).isEqualTo("exit 0");
    }

    @Test
    void nonZeroExitFailsWithTheCode() {
        CheckResult result = run(Duration.ofSeconds(5), "exit 3");
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).isEqualTo("exit 3");
    }

    @Test
    void environmentNamesTheBackend() {
        String script = "test \"$" + CommandCheck.ADDRESS_VARIABLE + "\" = 127.0.0.1 && test \"$"
                + CommandCheck.PORT_VARIABLE + "\" = " + PORT;
        assertThat(run(Duration.ofSeconds(5), script).passed()).isTrue();
    }

    @Test
    void missingProgramFails() {
        CheckResult result = firstResult(engine.watch(loopback(PORT),
                quick(CommandCheck.of(dir.resolve("no-such-program").toString())), new Recorder()));
        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("cannot run");
    }

    @Test
    void slowCommandIsKilledAtTheTimeout() throws Exception {
        Path pidFile = dir.resolve("pid");
        CheckResult result = run(Duration.ofMillis(500), "echo $$ > " + pidFile + "; exec sleep 30");

        assertThat(result.passed()).isFalse();
        assertThat(result.detail()).contains("timed out");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        await("the timed-out command to be killed",
                () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }
}
