package io.sluice.bench.health;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the floor program (bench/src/main/c/connect_floor.c) against the same listeners, from the
 * same network namespace, at the same rate as the engine, and returns its table rows. The floor
 * does only what the kernel must do for a TCP connect check, so engine CPU / floor CPU is the
 * engine's overhead as a ratio, measured under the same conditions.
 */
final class FloorRun {
    private static final long EXTRA_WAIT_SECONDS = 20;

    private FloorRun() {
    }

    static List<String> run(String program, String firstAddress, int targets, int port, int rate,
                            int seconds, int warmupSeconds) throws Exception {
        Process floor = new ProcessBuilder(program, firstAddress, Integer.toString(targets), Integer.toString(port),
                Integer.toString(rate), Integer.toString(seconds), Integer.toString(warmupSeconds))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> rows = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(floor.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("| floor")) {
                    rows.add(line);
                }
            }
        }
        if (!floor.waitFor(seconds + EXTRA_WAIT_SECONDS, TimeUnit.SECONDS)) {
            floor.destroyForcibly();
            throw new IllegalStateException("floor program did not finish");
        }
        if (floor.exitValue() != 0) {
            throw new IllegalStateException("floor program failed with exit code " + floor.exitValue());
        }
        return rows;
    }
}
