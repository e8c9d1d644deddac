package io.sluice.lb.admin.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.lb.admin.AdminJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of the admin API (the CLI's, and the tests'): one HTTP/1.1 request per connection, over
 * the Unix socket or TCP with a bearer token. A daemon that cannot be reached is an
 * {@link IOException}; any HTTP answer, error or not, is a {@link Response}.
 */
public final class AdminClient implements AutoCloseable {
    /** Longer than the daemon's own wait for a reconcile, so its 503 arrives before we give up. */
    static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final int MAX_RESPONSE_BYTES = 64 << 20;
    private static final int CONNECT_TIMEOUT_MS = 3000;

    /** One answer: the HTTP status and the JSON body. */
    public record Response(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public JsonNode json() {
            try {
                return AdminJson.JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the daemon answered " + status + " with no JSON: " + body, e);
            }
        }
    }

    private final SocketAddress address;
    private final boolean unixSocket;
    private final Optional<String> token;
    private final String description;
    private final EventLoopGroup group;

    private AdminClient(SocketAddress address, boolean unixSocket, Optional<String> token, String description) {
        this.address = address;
        this.unixSocket = unixSocket;
        this.token = token;
        this.description = description;
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "sluice-admin-client");
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory());
    }

    public static AdminClient unixSocket(Path socket) {
        return new AdminClient(new DomainSocketAddress(socket.toString()), true, Optional.empty(), socket.toString());
    }

    public static AdminClient tcp(InetSocketAddress address, Optional<String> token) {
        return new AdminClient(address, false, token, address.getHostString() + ":" + address.getPort());
    }

    /** Where this client connects, for messages. */
    public String describe() {
        return description;
    }

    public Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    /** @param body JSON or YAML text, or null for none */
    public Response send(String method, String path, String body) throws IOException {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(unixSocket ? EpollDomainSocketChannel.class : EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        answer.complete(new Response(r.status().code(),
                                                r.content().toString(StandardCharsets.UTF_8)));
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        answer.completeExceptionally(new IOException(description
                                                + ": the daemon closed the connection without an answer"));
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        answer.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                });
        try {
            Channel channel = bootstrap.connect(address).sync().channel();
            channel.writeAndFlush(request(method, path, body));
            return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(description + ": no answer within " + TIMEOUT.toSeconds() + "s", e);
        } catch (Exception e) {
            // connect() reports refused/missing sockets as checked exceptions thrown by sync()
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.toString(), e);
        }
    }

    private FullHttpRequest request(String method, String path, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path,
                Unpooled.wrappedBuffer(bytes));
        request.headers().set(HttpHeaderNames.HOST, unixSocket ? "localhost" : description);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (body != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        token.ifPresent(t -> request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + t));
        return request;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
