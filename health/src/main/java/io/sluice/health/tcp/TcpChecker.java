package io.sluice.health.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
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

/**
 * Passes once the three-way handshake completes. The socket is then closed with SO_LINGER 0 (an
 * RST), so thousands of checks per second leave no TIME_WAIT behind to exhaust ephemeral ports.
 * AUTO_READ stays on: with it off, Netty 4.2.18's io_uring channels were measured to stall under
 * load (5,000 checks/s: half the runs timed out, none with it on). That was measured before the
 * ring's DEFER_TASKRUN mode was turned off (see TransportSelector) and is likely the same stall.
 */
public final class TcpChecker implements Checker {
    /** SO_LINGER of zero seconds: close sends RST and frees the port at once. */
    public static final int ABORTIVE_CLOSE = 0;

    /**
     * Netty's own connect timer is off: the attempt's timer already bounds the whole run, and one
     * timer per run instead of two matters at ten thousand runs a second.
     */
    public static final int NO_CONNECT_TIMER = 0;

    /** Ignores what a backend sends (the pipeline's tail frees it); stateless, so shared. */
    private static final ChannelHandler IGNORE_INBOUND = new IgnoreInbound();

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
        attempt.onFinish(() -> connect.channel().close());
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                attempt.pass("connected");
            } else {
                attempt.fail(f.cause());
            }
        });
        return attempt.future();
    }

    private Bootstrap bootstrapFor(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, NO_CONNECT_TIMER)
                .option(ChannelOption.SO_LINGER, ABORTIVE_CLOSE)
                .handler(IGNORE_INBOUND);
    }

    @ChannelHandler.Sharable
    private static final class IgnoreInbound extends ChannelInboundHandlerAdapter {
    }
}
