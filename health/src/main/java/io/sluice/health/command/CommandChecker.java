package io.sluice.health.command;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.sluice.health.Target;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.Checker;
import io.sluice.health.check.CommandCheck;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a program per check. fork/exec may block, so it happens on a small launcher pool, never on
 * the event loop; the exit is observed through {@link Process#onExit()} and the timeout is an event
 * loop timer that kills the process and its descendants.
 */
public final class CommandChecker implements Checker {
    private static final int PASSING_EXIT_CODE = 0;

    private final Executor launcher;

    public CommandChecker(Executor launcher) {
        this.launcher = launcher;
    }

    @Override
    public Future<CheckResult> run(Target target, CheckSpec spec, EventLoop loop) {
        CommandCheck check = (CommandCheck) spec.kind();
        CheckAttempt attempt = CheckAttempt.start(loop, spec.timeout());
        try {
            launcher.execute(() -> launch(check, target, attempt));
        } catch (RejectedExecutionException e) {
            attempt.fail("command launcher stopped");
        }
        return attempt.future();
    }

    private static void launch(CommandCheck check, Target target, CheckAttempt attempt) {
        if (attempt.done()) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(check.command())
                .redirectInput(Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(Redirect.DISCARD)
                .redirectError(Redirect.DISCARD);
        builder.environment().put(CommandCheck.ADDRESS_VARIABLE, target.address().getHostAddress());
        builder.environment().put(CommandCheck.PORT_VARIABLE, Integer.toString(target.port()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            attempt.fail("cannot run " + check.command().get(0) + ": " + CheckAttempt.describe(e));
            return;
        }
        attempt.onFinish(() -> kill(process));
        process.onExit().thenAccept(exited -> {
            int code = exited.exitValue();
            if (code == PASSING_EXIT_CODE) {
                attempt.pass("exit 0");
            } else {
                attempt.fail("exit " + code);
            }
        });
    }

    /** After a verdict the process is normally gone already; after a timeout it is not. */
    private static void kill(Process process) {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
