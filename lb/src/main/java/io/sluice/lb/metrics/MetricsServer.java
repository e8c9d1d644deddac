package io.sluice.lb.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.sluice.lb.net.ServerEventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Serves the metrics over HTTP with Netty's epoll transport, on the daemon's {@link ServerEventLoop}
 * (shared with the admin API) or a loop of its own. What a scrape answers (text or OpenMetrics by
 * the Accept header, gzip, {@code name[]} filters) is the Prometheus library's
 * {@link PrometheusScrapeHandler}; only the HTTP server is Netty. The library's own HTTPServer
 * (the JDK's) added three threads, a dispatcher woken every second and two timers: about 1.1 ms
 * of CPU a second of an idle daemon on these VMs.
 */
public final class MetricsServer implements AutoCloseable {
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A scrape is a GET: a request body larger than this is refused (413) unread. */
    static final int MAX_BODY_BYTES = 8 * 1024;
    /** A connection idle this long is closed (Prometheus keeps its connection between scrapes). */
    static final int IDLE_SECONDS = 300;

    private final Channel channel;
    private final ServerEventLoop ownLoop; // null when the caller owns the loop

    private MetricsServer(Channel channel, ServerEventLoop ownLoop) {
        this.channel = channel;
        this.ownLoop = ownLoop;
    }

    /** Binds {@code listen} on a loop of its own (closed with the server), or throws leaving nothing running. */
    public static MetricsServer start(SluiceMetrics metrics, InetSocketAddress listen) {
        ServerEventLoop loop = ServerEventLoop.start("sluiced-metrics");
        try {
            return new MetricsServer(bind(metrics, listen, loop.group()), loop);
        } catch (Exception e) {
            loop.close();
            throw e;
        }
    }

    /** Binds {@code listen} on {@code loop}, which the caller owns and closes after this server. */
    public static MetricsServer start(SluiceMetrics metrics, InetSocketAddress listen, ServerEventLoop loop) {
        return new MetricsServer(bind(metrics, listen, loop.group()), null);
    }

    private static Channel bind(SluiceMetrics metrics, InetSocketAddress listen, EventLoopGroup group) {
        PrometheusScrapeHandler scrape = new PrometheusScrapeHandler(metrics.registry());
        try {
            return new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
                                    new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192),
                                    new HttpObjectAggregator(MAX_BODY_BYTES),
                                    new ScrapeHttpHandler(scrape));
                        }
                    }).bind(listen).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows a bind's IOException unchecked
            throw new IllegalStateException("metrics cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The port actually bound (useful when the config said 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        if (ownLoop != null) {
            ownLoop.close();
        }
    }
}
