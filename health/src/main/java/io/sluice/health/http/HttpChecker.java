package io.sluice.health.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.sluice.health.Target;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.Checker;
import io.sluice.health.check.HttpCheck;
import io.sluice.health.tcp.TcpChecker;
import io.sluice.health.transport.NettyTransport;

/** HTTP/1.1 and HTTPS checks: one request per connection, closed with RST once judged. */
public final class HttpChecker implements Checker {
    private static final String USER_AGENT = "sluice-health";

    private final NettyTransport transport;
    private final TlsContexts tls;

    public HttpChecker(NettyTransport transport, TlsContexts tls) {
        this.transport = transport;
        this.tls = tls;
    }

    @Override
    public Future<CheckResult> run(Target target, CheckSpec spec, EventLoop loop) {
        HttpCheck check = (HttpCheck) spec.kind();
        CheckAttempt attempt = CheckAttempt.start(loop, spec.timeout());
        String host = check.host() != null ? check.host() : target.toString();
        FullHttpRequest request = request(check, host);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TcpChecker.NO_CONNECT_TIMER)
                .option(ChannelOption.SO_LINGER, TcpChecker.ABORTIVE_CLOSE)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (check.tls()) {
                            String serverName = serverName(check);
                            ch.pipeline().addLast(tls.forCheck(check.verifyCertificate())
                                    .newHandler(ch.alloc(), serverName != null ? serverName : target.address().getHostAddress(),
                                            target.port()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new ResponseProbe(request, check, attempt));
                    }
                })
                .connect(target.socketAddress());
        attempt.onFinish(() -> connect.channel().close());
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                attempt.fail(f.cause());
            }
        });
        return attempt.future();
    }

    private static FullHttpRequest request(HttpCheck check, String host) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(check.method()), check.path(), Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.ACCEPT, "*/*")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.CONTENT_LENGTH, 0);
        return request;
    }

    /** SNI carries names only; an address literal (or a Host with a port) is stripped or skipped. */
    static String serverName(HttpCheck check) {
        String name = check.sni() != null ? check.sni() : check.host();
        if (name == null) {
            return null;
        }
        if (!name.startsWith("[") && name.indexOf(':') == name.lastIndexOf(':') && name.indexOf(':') > 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        return NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name) || name.startsWith("[") ? null : name;
    }
}
