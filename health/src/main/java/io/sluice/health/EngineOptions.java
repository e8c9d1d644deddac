package io.sluice.health;

import io.sluice.health.transport.TransportKind;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine runs.
 *
 * @param ioThreads       event-loop threads; one is busy most of the time at 10,000 loopback TCP
 *                        checks per second (docs/BENCHMARKS.md), two spread that over both cores
 * @param transport       most preferred transport; less preferred ones are fallbacks
 * @param commandThreads  threads that fork command checks (the wait itself costs no thread)
 * @param retainState     how long a check's state outlives its last watch, so a reload that
 *                        closes and re-opens a watch resumes instead of starting over
 * @param observer        sees every result (metrics); runs on the event loop
 */
public record EngineOptions(int ioThreads, TransportKind transport, int commandThreads,
                            Duration retainState, CheckObserver observer) {
    public static final int DEFAULT_IO_THREADS = 1;
    public static final int DEFAULT_COMMAND_THREADS = 2;
    public static final Duration DEFAULT_RETAIN_STATE = Duration.ofSeconds(60);

    public EngineOptions {
        if (ioThreads < 1 || commandThreads < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1");
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(retainState, "retainState");
        Objects.requireNonNull(observer, "observer");
    }

    public static EngineOptions defaults() {
        return new EngineOptions(DEFAULT_IO_THREADS, TransportKind.IO_URING, DEFAULT_COMMAND_THREADS,
                DEFAULT_RETAIN_STATE, CheckObserver.NONE);
    }

    public EngineOptions withIoThreads(int value) {
        return new EngineOptions(value, transport, commandThreads, retainState, observer);
    }

    public EngineOptions withTransport(TransportKind value) {
        return new EngineOptions(ioThreads, value, commandThreads, retainState, observer);
    }

    public EngineOptions withCommandThreads(int value) {
        return new EngineOptions(ioThreads, transport, value, retainState, observer);
    }

    public EngineOptions withRetainState(Duration value) {
        return new EngineOptions(ioThreads, transport, commandThreads, value, observer);
    }

    public EngineOptions withObserver(CheckObserver value) {
        return new EngineOptions(ioThreads, transport, commandThreads, retainState, value);
    }
}
