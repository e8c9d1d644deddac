package io.sluice.lb.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.util.concurrent.TimeUnit;

/**
 * One epoll event-loop thread for the daemon's small HTTP servers (admin API, metrics). Netty's
 * loop wakes once a second even with nothing to do (its scheduled-task purge interval, fixed at
 * 1 s), and a wakeup costs a few tenths of a millisecond on these VMs: so the servers share one
 * thread instead of each keeping its own. The daemon owns it and closes it after the servers.
 */
public final class ServerEventLoop implements AutoCloseable {
    private final EventLoopGroup group;

    private ServerEventLoop(EventLoopGroup group) {
        this.group = group;
    }

    public static ServerEventLoop start(String threadName) {
        Epoll.ensureAvailability();
        return new ServerEventLoop(new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory()));
    }

    public EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
