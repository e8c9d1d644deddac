package io.sluice.lb.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.sluice.lb.config.AdminConfig;
import io.sluice.lb.net.ServerEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Serves the admin API with Netty's epoll transport: on a Unix socket (mode 0660, group
 * {@value #ADMIN_GROUP} when that group exists) and, when configured, on a TCP address that
 * demands a bearer token. One event-loop thread (the daemon's {@link ServerEventLoop}, shared with
 * the metrics server, or one of its own): the API is small, and changes queue anyway.
 */
public final class AdminServer implements AutoCloseable {
    public static final String ADMIN_GROUP = "sluice";
    /** Larger than any VIP or config an operator posts; a bigger body is refused (413) unread. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int IDLE_SECONDS = 60;
    static final int MIN_TOKEN_CHARS = 16;
    private static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-rw----");

    private final ServerEventLoop ownLoop; // null when the caller owns the loop
    private final List<Channel> channels = new ArrayList<>();
    private final Optional<Path> socket;
    private boolean socketBound;
    private int tcpPort = -1;

    private AdminServer(ServerEventLoop ownLoop, Optional<Path> socket) {
        this.ownLoop = ownLoop;
        this.socket = socket;
    }

    /** Binds every configured listener, or throws (and leaves nothing bound). */
    public static AdminServer start(AdminConfig config, Router router) {
        return start(config, router, AdminHttpHandler.Observer.NONE);
    }

    /** As {@link #start(AdminConfig, Router)}, telling {@code observer} of every answer; on a loop of its own. */
    public static AdminServer start(AdminConfig config, Router router, AdminHttpHandler.Observer observer) {
        ServerEventLoop loop = ServerEventLoop.start("sluiced-admin");
        try {
            return start(config, router, observer, loop.group(), loop);
        } catch (Exception e) {
            loop.close();
            throw e;
        }
    }

    /** As {@link #start(AdminConfig, Router, AdminHttpHandler.Observer)} on {@code loop}, which the caller owns. */
    public static AdminServer start(AdminConfig config, Router router, AdminHttpHandler.Observer observer,
                                    ServerEventLoop loop) {
        return start(config, router, observer, loop.group(), null);
    }

    private static AdminServer start(AdminConfig config, Router router, AdminHttpHandler.Observer observer,
                                     EventLoopGroup group, ServerEventLoop ownLoop) {
        Optional<byte[]> token = config.listen().isPresent()
                ? Optional.of(readToken(config.tokenFile().orElseThrow())) : Optional.empty();
        AdminServer server = new AdminServer(ownLoop, config.socket());
        try {
            if (config.socket().isPresent()) {
                Path path = config.socket().get();
                prepareSocketPath(path);
                server.channels.add(bootstrap(group, router, Optional.empty(), observer)
                        .channel(EpollServerDomainSocketChannel.class)
                        .bind(new DomainSocketAddress(path.toString())).syncUninterruptibly().channel());
                server.socketBound = true;
                restrict(path);
            }
            if (config.listen().isPresent()) {
                Channel tcp = bootstrap(group, router, token, observer).channel(EpollServerSocketChannel.class)
                        .bind(config.listen().get()).syncUninterruptibly().channel();
                server.channels.add(tcp);
                server.tcpPort = ((InetSocketAddress) tcp.localAddress()).getPort();
            }
            return server;
        } catch (Exception e) { // Netty rethrows a bind's IOException unchecked: close what was bound
            server.close();
            throw e;
        }
    }

    /** The bound TCP port (tests bind port 0), or -1 without a TCP listener. */
    public int tcpPort() {
        return tcpPort;
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group, Router router, Optional<byte[]> token,
                                             AdminHttpHandler.Observer observer) {
        return new ServerBootstrap().group(group).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
                        new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192),
                        new HttpObjectAggregator(MAX_BODY_BYTES),
                        new AdminHttpHandler(router, token, observer));
            }
        });
    }

    /** Removes a socket left by a daemon that died; refuses to steal one another daemon still serves. */
    private static void prepareSocketPath(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            if (!Files.exists(path)) {
                return;
            }
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new IllegalStateException("another process serves the admin socket " + path
                        + " (a second sluiced?): set admin.socket to a path of its own");
            } catch (IOException stale) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("admin socket " + path, e);
        }
    }

    /** 0660, group sluice when it exists: root and the sluice group only. */
    private static void restrict(Path path) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            view.setPermissions(SOCKET_MODE);
            try {
                GroupPrincipal group = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(ADMIN_GROUP);
                view.setGroup(group);
            } catch (UserPrincipalNotFoundException e) {
                // no sluice group on this host (a lab, a test): root only
            }
        } catch (IOException e) {
            throw new UncheckedIOException("admin socket " + path, e);
        }
    }

    private static byte[] readToken(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalStateException("admin token file " + file + " is readable by everyone: chmod o-r it");
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < MIN_TOKEN_CHARS || token.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalStateException("admin token in " + file + " must be one word of at least "
                        + MIN_TOKEN_CHARS + " characters");
            }
            return token.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("admin token file " + file, e);
        }
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
        if (ownLoop != null) {
            ownLoop.close();
        }
        socket.filter(p -> socketBound).ifPresent(p -> {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a leftover socket is removed by the next start
            }
        });
    }
}
