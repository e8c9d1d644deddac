package io.sluice.health.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the best transport this host supports: io_uring, then epoll, then NIO. A transport that
 * is skipped is logged once per process with the reason the native layer gives.
 */
public final class TransportSelector {
    private static final Logger LOG = LoggerFactory.getLogger(TransportSelector.class);
    private static final int RING_ENTRIES = 4_096;
    /**
     * Each run in flight may own a few completions (connect, poll, cancel, close); with thousands
     * in flight Netty's default queue was seen to overflow (it logs "CompletionQueue overflow").
     * An entry costs 16 bytes.
     */
    private static final int COMPLETION_ENTRIES = 65_536;
    private static final Set<TransportKind> REPORTED = ConcurrentHashMap.newKeySet();

    private TransportSelector() {
    }

    /** The most preferred transport that is available, starting at {@code preferred}. */
    public static NettyTransport select(TransportKind preferred) {
        for (TransportKind kind : EnumSet.range(preferred, TransportKind.NIO)) {
            Throwable cause = unavailabilityCause(kind);
            if (cause == null) {
                return create(kind);
            }
            if (REPORTED.add(kind)) {
                LOG.warn("health checks: {} transport unavailable, falling back: {}", kind, cause.toString());
            }
        }
        throw new IllegalStateException("no transport available");
    }

    public static NettyTransport select() {
        return select(TransportKind.IO_URING);
    }

    public static boolean available(TransportKind kind) {
        return unavailabilityCause(kind) == null;
    }

    private static Throwable unavailabilityCause(TransportKind kind) {
        try {
            return switch (kind) {
                case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
                case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
                case NIO -> null;
            };
        } catch (LinkageError e) {
            return e;
        }
    }

    /**
     * Single-issuer mode is off because Netty pairs it with IORING_SETUP_DEFER_TASKRUN, and with
     * that flag connect completions stopped arriving under load: sockets were ESTABLISHED in the
     * kernel, Netty never saw the connect finish, every run timed out and the ring never recovered
     * (10,000 checks/s on a quiet 2-core host; 2,000/s on a busy one). With DEFER_TASKRUN the
     * wake-up of a pending connect is task work that runs only inside the ring owner's
     * io_uring_enter, so a loop that falls behind likely delays its own completions until it never
     * catches up; without it the kernel runs that work on any return to user space. Alternated runs
     * on one host: with DEFER_TASKRUN every run failed in 5 of 7; without it, never
     * (docs/BENCHMARKS.md, docs/health-checks.md).
     */
    private static IoUringIoHandlerConfig ioUringConfig() {
        return new IoUringIoHandlerConfig()
                .setRingSize(RING_ENTRIES)
                .setCqSize(COMPLETION_ENTRIES)
                .setSingleIssuer(false);
    }

    private static NettyTransport create(TransportKind kind) {
        return switch (kind) {
            case IO_URING -> new NettyTransport(kind, IoUringIoHandler.newFactory(
                    ioUringConfig()),
                    IoUringSocketChannel.class, IoUringDatagramChannel.class);
            case EPOLL -> new NettyTransport(kind, EpollIoHandler.newFactory(),
                    EpollSocketChannel.class, EpollDatagramChannel.class);
            case NIO -> new NettyTransport(kind, NioIoHandler.newFactory(),
                    NioSocketChannel.class, NioDatagramChannel.class);
        };
    }
}
