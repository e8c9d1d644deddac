package io.sluice.bench.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The backends of the benchmark: one listening socket per address a.b.x.y (x = index / 250,
 * y = 1 + index % 250) of a /16. Runs in a child process so that its CPU is not counted as the
 * engine's. The /16 is 127.77 by default: inside 127.0.0.0/8, which Linux routes to lo without any
 * setup. bench/health.sh's netns mode passes {@value #PREFIX_PROPERTY}=10.77, a /16 that is local
 * (AnyIP) inside the benchmark's own target namespace.
 */
final class TargetListeners {
    static final String PREFIX_PROPERTY = "sluice.bench.targetPrefix";
    private static final String DEFAULT_PREFIX = "127.77";
    private static final int HOSTS_PER_OCTET = 250;
    private static final int BACKLOG = 1024;
    private static final byte[] PREFIX = parsePrefix(System.getProperty(PREFIX_PROPERTY, DEFAULT_PREFIX));

    private TargetListeners() {
    }

    private static byte[] parsePrefix(String text) {
        String[] octets = text.split("\\.");
        if (octets.length != 2) {
            throw new IllegalArgumentException(PREFIX_PROPERTY + " must be two octets such as 10.77, not " + text);
        }
        return new byte[] {(byte) Integer.parseInt(octets[0]), (byte) Integer.parseInt(octets[1])};
    }

    static InetAddress address(int index) {
        try {
            return InetAddress.getByAddress(new byte[] {
                PREFIX[0], PREFIX[1], (byte) (index / HOSTS_PER_OCTET), (byte) (1 + index % HOSTS_PER_OCTET)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Binds the listeners of targets [first, end), prints READY, serves until stdin closes or time runs out. */
    static void serve(int first, int end, int port, long maxMillis) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new QuietClose());
                        }
                    });
            List<Channel> listeners = new ArrayList<>(end - first);
            for (int i = first; i < end; i++) {
                listeners.add(bootstrap.bind(new InetSocketAddress(address(i), port)).sync().channel());
            }
            System.out.println("READY " + listeners.size());
            System.out.flush();
            waitForParent(maxMillis);
        } finally {
            group.shutdownGracefully().syncUninterruptibly();
        }
    }

    /** The parent closes our stdin when it is done (or dies); the deadline bounds us regardless. */
    private static void waitForParent(long maxMillis) throws InterruptedException {
        Thread reader = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // drain until EOF
                }
            } catch (IOException ignored) {
                // parent gone
            }
        }, "parent-watch");
        reader.setDaemon(true);
        reader.start();
        reader.join(maxMillis);
    }

    /** Checks close with RST: a reset connection is the normal case here, not worth a log line. */
    private static final class QuietClose extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
