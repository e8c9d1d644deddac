package io.sluice.health;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.state.HealthState;
import io.sluice.health.transport.NettyTransport;
import io.sluice.health.transport.TransportKind;
import io.sluice.health.transport.TransportSelector;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs health checks. Owns one event-loop group (all network I/O and timers), one listener thread
 * (every {@link HealthListener} call) and a small pool that forks command checks.
 *
 * <p>Watches of the same target with the same spec share one running check; the check stops when
 * its last watch closes, and its state is kept for {@link EngineOptions#retainState()} so a watch
 * re-opened soon after (a config reload) resumes where it was.
 */
public final class HealthEngine implements AutoCloseable {
    /** The one thread every {@link HealthListener} runs on. */
    public static final String LISTENER_THREAD_NAME = "sluice-health-listener";
    private static final long MAX_RETIRED_STATES = 100_000;
    /** Lets channels of runs still in flight close before the loop stops. */
    private static final long SHUTDOWN_QUIET_MILLIS = 100;
    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    private final NettyTransport transport;
    private final EventLoopGroup group;
    private final ExecutorService listenerThread;
    private final ExecutorService commandLauncher;
    private final Checkers checkers;
    private final CheckObserver observer;
    private final ConcurrentMap<CheckKey, SharedCheck> running = new ConcurrentHashMap<>();
    private final Cache<CheckKey, RetiredState> retired;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthEngine(EngineOptions options) {
        this.transport = TransportSelector.select(options.transport());
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(),
                new DefaultThreadFactory("sluice-health-io", true), transport.ioHandlerFactory());
        this.listenerThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, LISTENER_THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        this.commandLauncher = Executors.newFixedThreadPool(options.commandThreads(),
                new DefaultThreadFactory("sluice-health-command", true));
        this.checkers = new Checkers(transport, commandLauncher);
        this.observer = options.observer();
        this.retired = Caffeine.newBuilder()
                .expireAfterWrite(options.retainState())
                .maximumSize(MAX_RETIRED_STATES)
                .build();
    }

    public static HealthEngine start(EngineOptions options) {
        return new HealthEngine(Objects.requireNonNull(options, "options"));
    }

    public static HealthEngine start() {
        return start(EngineOptions.defaults());
    }

    /** The transport actually in use (io_uring unless it was unavailable). */
    public TransportKind transport() {
        return transport.kind();
    }

    /** Starts watching; joins the running check if an identical one exists. */
    public CheckHandle watch(Target target, CheckSpec spec, HealthListener listener) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("health engine is closed");
        }
        CheckKey key = CheckKey.of(target, spec);
        Watch watch = new Watch(target, spec, listener);
        SharedCheck check = running.compute(key, (k, existing) -> {
            SharedCheck shared = existing;
            if (shared == null) {
                shared = new SharedCheck(k, target, spec, group.next(), checkers.forKind(spec.kind()),
                        observer, listenerThread, retired.asMap().remove(k));
                shared.start();
            }
            shared.addWatcher(watch);
            return shared;
        });
        watch.attach(check);
        return watch;
    }

    /** Every running check, for the daemon's status output. */
    public List<TargetStatus> status() {
        return running.values().stream().map(SharedCheck::status).toList();
    }

    /** Number of distinct checks running (shared checks count once). */
    public int runningChecks() {
        return running.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running.values().forEach(SharedCheck::stop);
        running.clear();
        group.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS * 2);
        commandLauncher.shutdownNow();
        listenerThread.shutdown();
    }

    private void release(SharedCheck check, Watch watch) {
        running.computeIfPresent(check.key(), (k, current) -> {
            if (current != check || current.removeWatcher(watch) > 0) {
                return current;
            }
            retired.put(k, current.stop());
            return null;
        });
    }

    /** One caller's watch; its identity (not the listener's) is what close removes. */
    private final class Watch implements CheckHandle, HealthListener {
        private final Target target;
        private final CheckSpec spec;
        private final HealthListener listener;
        private final AtomicBoolean open = new AtomicBoolean(true);
        private volatile SharedCheck check;

        Watch(Target target, CheckSpec spec, HealthListener listener) {
            this.target = target;
            this.spec = spec;
            this.listener = listener;
        }

        void attach(SharedCheck shared) {
            this.check = shared;
        }

        @Override
        public void onChange(Target t, HealthState oldState, HealthState newState, CheckResult lastResult) {
            if (open.get()) {
                listener.onChange(t, oldState, newState, lastResult);
            }
        }

        @Override
        public Target target() {
            return target;
        }

        @Override
        public CheckSpec spec() {
            return spec;
        }

        @Override
        public HealthState state() {
            return check.state();
        }

        @Override
        public CheckResult lastResult() {
            return check.lastResult();
        }

        @Override
        public long sinceMillis() {
            return check.sinceMillis();
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false) && !closed.get()) {
                release(check, this);
            }
        }
    }
}
