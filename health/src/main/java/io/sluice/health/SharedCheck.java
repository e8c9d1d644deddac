package io.sluice.health;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.Checker;
import io.sluice.health.state.HealthState;
import io.sluice.health.state.Jitter;
import io.sluice.health.state.RiseFallMachine;
import io.sluice.health.state.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running check, shared by every watch with the same {@link CheckKey}. Runs, the state machine
 * and scheduling are confined to one event loop; other threads only read the volatile snapshot.
 * The next run is timed from the start of the previous one, and never starts while one is in
 * flight.
 */
final class SharedCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SharedCheck.class);

    /** What other threads may read at any time. */
    private record Snapshot(HealthState state, int streak, CheckResult lastResult, long sinceMillis) {
    }

    private final CheckKey key;
    private final Target target;
    private final CheckSpec spec;
    private final EventLoop loop;
    private final Checker checker;
    private final CheckObserver observer;
    private final Executor listenerThread;
    private final RiseFallMachine machine;
    private final List<HealthListener> watchers = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;
    private volatile boolean stopped;
    private ScheduledFuture<?> nextRun;
    private long lastStartNanos;

    SharedCheck(CheckKey key, Target target, CheckSpec spec, EventLoop loop, Checker checker,
                CheckObserver observer, Executor listenerThread, RetiredState resumed) {
        this.key = key;
        this.target = target;
        this.spec = spec;
        this.loop = loop;
        this.checker = checker;
        this.observer = observer;
        this.listenerThread = listenerThread;
        if (resumed != null) {
            this.machine = new RiseFallMachine(spec.rise(), spec.fall(), resumed.state(), resumed.streak());
            this.snapshot = new Snapshot(resumed.state(), resumed.streak(), resumed.lastResult(), resumed.sinceMillis());
        } else {
            this.machine = new RiseFallMachine(spec.rise(), spec.fall(), spec.initialState());
            this.snapshot = new Snapshot(spec.initialState(), 0, null, System.currentTimeMillis());
        }
    }

    CheckKey key() {
        return key;
    }

    void addWatcher(HealthListener watcher) {
        watchers.add(watcher);
    }

    /** Returns how many watchers remain. */
    int removeWatcher(HealthListener watcher) {
        watchers.remove(watcher);
        return watchers.size();
    }

    /** First run anywhere within one interval, so checks added together spread out. */
    void start() {
        loop.execute(() -> scheduleIn(Jitter.initialDelay(spec.interval().toNanos(), ThreadLocalRandom.current())));
    }

    RetiredState stop() {
        stopped = true;
        loop.execute(() -> {
            if (nextRun != null) {
                nextRun.cancel(false);
            }
        });
        Snapshot s = snapshot;
        return new RetiredState(s.state(), s.streak(), s.lastResult(), s.sinceMillis());
    }

    HealthState state() {
        return snapshot.state();
    }

    CheckResult lastResult() {
        return snapshot.lastResult();
    }

    long sinceMillis() {
        return snapshot.sinceMillis();
    }

    TargetStatus status() {
        Snapshot s = snapshot;
        return new TargetStatus(target, spec, s.state(), s.lastResult(), s.sinceMillis(), watchers.size());
    }

    private void scheduleIn(long nanos) {
        if (!stopped) {
            nextRun = loop.schedule(this::runOnce, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void runOnce() {
        if (stopped) {
            return;
        }
        lastStartNanos = System.nanoTime();
        Future<CheckResult> run;
        try {
            run = checker.run(target, spec, loop);
        } catch (RuntimeException e) {
            LOG.error("health check {} {} could not start", spec.kind().name(), target, e);
            onResult(new CheckResult(false, Instant.now(), Duration.ZERO, CheckAttempt.describe(e)));
            return;
        }
        run.addListener(done -> onResult(run.getNow()));
    }

    private void onResult(CheckResult result) {
        try {
            observer.onResult(target, spec, result);
        } catch (RuntimeException e) {
            LOG.warn("check observer failed", e);
        }
        Transition transition = machine.record(result.passed());
        long since = transition.changed() ? System.currentTimeMillis() : snapshot.sinceMillis();
        snapshot = new Snapshot(machine.state(), machine.streak(), result, since);
        if (transition.changed() && !stopped) {
            notifyWatchers(transition, result);
        }
        long delay = Jitter.apply(intervalFor().toNanos(), spec.jitterPercent(), ThreadLocalRandom.current());
        scheduleIn(Math.max(0, lastStartNanos + delay - System.nanoTime()));
    }

    private Duration intervalFor() {
        return switch (machine.cadence()) {
            case NORMAL -> spec.interval();
            case FAST -> spec.fastInterval();
            case DOWN -> spec.downInterval();
        };
    }

    private void notifyWatchers(Transition transition, CheckResult result) {
        LOG.info("backend {} is {} ({} check: {})", target, transition.to(), spec.kind().name(), result.detail());
        List<HealthListener> toTell = List.copyOf(watchers);
        listenerThread.execute(() -> {
            for (HealthListener watcher : toTell) {
                try {
                    watcher.onChange(target, transition.from(), transition.to(), result);
                } catch (RuntimeException e) {
                    LOG.warn("health listener failed for {}", target, e);
                }
            }
        });
    }
}
