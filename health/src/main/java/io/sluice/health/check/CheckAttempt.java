package io.sluice.health.check;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One run in flight: start time, the timeout timer and the cleanup (close a channel, kill a
 * process). The first verdict wins; later ones are ignored. All state changes happen on the loop.
 */
public final class CheckAttempt {
    private final EventLoop loop;
    private final Promise<CheckResult> promise;
    private final Instant startedAt;
    private final long startNanos;
    private final ScheduledFuture<?> timer;
    private Runnable cleanup = () -> { };

    private CheckAttempt(EventLoop loop, Duration timeout) {
        this.loop = loop;
        this.promise = loop.newPromise();
        this.startedAt = Instant.now();
        this.startNanos = System.nanoTime();
        this.timer = loop.schedule(() -> fail("timed out after " + timeout.toMillis() + " ms"),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Starts the clock; must be called on {@code loop}. */
    public static CheckAttempt start(EventLoop loop, Duration timeout) {
        return new CheckAttempt(loop, timeout);
    }

    /** What to undo once the verdict is in (or at once, if it already is). */
    public void onFinish(Runnable action) {
        onLoop(() -> {
            if (promise.isDone()) {
                action.run();
            } else {
                cleanup = action;
            }
        });
    }

    public void pass(String detail) {
        finish(true, detail);
    }

    public void fail(String detail) {
        finish(false, detail);
    }

    public void fail(Throwable cause) {
        fail(describe(cause));
    }

    public boolean done() {
        return promise.isDone();
    }

    public Future<CheckResult> future() {
        return promise;
    }

    private void finish(boolean passed, String detail) {
        onLoop(() -> {
            if (promise.isDone()) {
                return;
            }
            Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
            timer.cancel(false);
            promise.trySuccess(new CheckResult(passed, startedAt, latency, detail));
            cleanup.run();
        });
    }

    private void onLoop(Runnable action) {
        if (loop.inEventLoop()) {
            action.run();
        } else {
            loop.execute(action);
        }
    }

    /** Short, operator-readable text for an I/O failure. */
    public static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        // Native transports prefix the errno text with the syscall: keep only the errno text.
        int colon = message.lastIndexOf(": ");
        return message.contains("failed") && colon >= 0 ? message.substring(colon + 2) : message;
    }
}
