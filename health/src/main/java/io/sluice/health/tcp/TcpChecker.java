package io.sluice.health.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.sluice.health.Target;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.Checker;
import io.sluice.health.transport.NettyTransport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Passes once the three-way handshake completes. The socket is then closed with SO_LINGER 0 (an
 * RST), so thousands of checks per second leave no TIME_WAIT behind to exhaust ephemeral ports.
 *
 * <p>What one run costs is what limits the engine at thousands of checks a second, so the run does
 * as little as the verdict needs (measured per check with perf, docs/BENCHMARKS.md):
 * <ul>
 * <li>AUTO_READ is off: nothing is ever read, so no read poll is armed after the connect and none
 *     has to be cancelled at the close (io_uring: one POLL_ADD and one ASYNC_CANCEL fewer).</li>
 * <li>The close runs as a task after the connect listener has returned: closed from inside the
 *     listener, Netty still holds the connect promise and builds a ClosedChannelException with a
 *     full stack trace for it on every run.</li>
 * <li>One prepared bootstrap per event loop and one shared handler.</li>
 * </ul>
 * AUTO_READ off was once seen to stall io_uring connects under load; that was with the ring's
 * DEFER_TASKRUN mode, which the engine no longer uses (see TransportSelector).
 */
public final class TcpChecker implements Checker {
    /** SO_LINGER of zero seconds: close sends RST and frees the port at once. */
    public static final int ABORTIVE_CLOSE = 0;

    /**
     * Netty's own connect timer is off: the attempt's timer already bounds the whole run, and one
     * timer per run instead of two matters at ten thousand runs a second.
     */
    public static final int NO_CONNECT_TIMER = 0;

    /**
     * Nothing is read or written. Between the verdict and the close a backend may already reset or
     * close the connection (Netty sees it through its RDHUP poll): that is not worth a log line.
     * Stateless, so shared.
     */
    private static final ChannelHandler NO_HANDLER = new NoHandler();

    private final NettyTransport transport;
    /** One prepared bootstrap per event loop, instead of building and validating one per run. */
    private final Map<EventLoop, Bootstrap> bootstraps = new ConcurrentHashMap<>();

    public TcpChecker(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public Future<CheckResult> run(Target target, CheckSpec spec, EventLoop loop) {
        CheckAttempt attempt = CheckAttempt.start(loop, spec.timeout());
        ChannelFuture connect = bootstraps.computeIfAbsent(loop, this::bootstrapFor)
                .connect(target.socketAddress());
        Channel channel = connect.channel();
        attempt.onFinish(() -> closeAfterThisTask(channel));
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                attempt.pass("connected");
            } else {
                attempt.fail(f.cause());
            }
        });
        return attempt.future();
    }

    /** Runs the close once the current task (maybe Netty's connect completion) has returned. */
    private static void closeAfterThisTask(Channel channel) {
        try {
            channel.eventLoop().execute(channel::close);
        } catch (RejectedExecutionException shuttingDown) {
            channel.close();
        }
    }

    private Bootstrap bootstrapFor(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, NO_CONNECT_TIMER)
                .option(ChannelOption.SO_LINGER, ABORTIVE_CLOSE)
                .option(ChannelOption.AUTO_READ, false)
                .handler(NO_HANDLER);
    }

    @ChannelHandler.Sharable
    private static final class NoHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
