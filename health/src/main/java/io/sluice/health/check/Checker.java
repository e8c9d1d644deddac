package io.sluice.health.check;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.sluice.health.Target;

/**
 * Runs one check of one kind. The future always succeeds with a {@link CheckResult} (a failing
 * backend is a result, not an exception) and completes on {@code loop}. Implementations never block
 * the loop: everything slow is a callback or a timer.
 */
public interface Checker {
    Future<CheckResult> run(Target target, CheckSpec spec, EventLoop loop);
}
