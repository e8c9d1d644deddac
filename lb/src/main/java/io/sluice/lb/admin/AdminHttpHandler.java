package io.sluice.lb.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.lb.config.ConfigError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request in, one JSON answer out: auth (TCP only), routing, errors as {error, errors[]}. */
public final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final String BEARER = "Bearer ";

    /** The error body: a message, and for bad input every field at fault. */
    record ErrorBody(String error, List<ConfigError> errors) {
    }

    /** Told of every answer (method, HTTP status): the daemon counts them for Prometheus. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (method, status) -> { };

        void answered(String method, int status);
    }

    private final Router router;
    private final Optional<byte[]> token;
    private final Observer observer;

    /** @param token required from TCP clients; empty on the Unix socket (file permissions guard it) */
    AdminHttpHandler(Router router, Optional<byte[]> token, Observer observer) {
        this.router = router;
        this.token = token;
        this.observer = observer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        if (!request.decoderResult().isSuccess()) {
            send(ctx, method, keepAlive, error(HttpStatus.BAD_REQUEST, "malformed HTTP request"), Map.of());
            return;
        }
        if (token.isPresent() && !authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            send(ctx, method, keepAlive,
                    error(HttpStatus.UNAUTHORIZED, "a bearer token is required (admin.token_file)"),
                    Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath(); // the Router decodes each segment once: an encoded "/" stays inside it
        Router.Match match = router.find(method, path);
        if (match instanceof Router.NoSuchPath) {
            send(ctx, method, keepAlive, error(HttpStatus.NOT_FOUND, "no such resource: " + path), Map.of());
            return;
        }
        if (match instanceof Router.WrongMethod wrong) {
            send(ctx, method, keepAlive, error(HttpStatus.METHOD_NOT_ALLOWED, method + " is not allowed on " + path
                    + " (allowed: " + String.join(", ", wrong.allowed()) + ")"),
                    Map.of(HttpHeaderNames.ALLOW.toString(), String.join(", ", wrong.allowed())));
            return;
        }
        Router.Found found = (Router.Found) match;
        CompletableFuture<ApiResponse> answer;
        try {
            ApiRequest api = new ApiRequest(method, path, uri.parameters(), found.params(),
                    ByteBufUtil.getBytes(request.content()));
            answer = found.resource().handle(api);
        } catch (ApiException e) {
            answer = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
            ApiResponse out = failure == null ? response : fromFailure(method, path, failure);
            if (!method.equals(Resource.GET)) {
                log.info("event=admin_request method={} path={} status={}", method, path, out.status());
            }
            send(ctx, method, keepAlive, out, Map.of());
        });
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith(BEARER)) {
            return false;
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get()); // constant time: no timing oracle on the token
    }

    private static ApiResponse fromFailure(String method, String path, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ApiException e) {
            return new ApiResponse(e.status(), new ErrorBody(e.getMessage(), e.errors()));
        }
        log.error("event=admin_error method={} path={} error=\"{}\"", method, path, cause.toString(), cause);
        return error(HttpStatus.INTERNAL_ERROR, "internal error: " + cause);
    }

    static ApiResponse error(int status, String message) {
        return new ApiResponse(status, new ErrorBody(message, List.of()));
    }

    private void send(ChannelHandlerContext ctx, String method, boolean keepAlive, ApiResponse response,
                      Map<String, String> headers) {
        observer.answered(method, response.status());
        byte[] body = (AdminJson.write(response.body()) + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(body));
        http.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.forEach((k, v) -> http.headers().set(k, v));
        HttpUtil.setKeepAlive(http, keepAlive);
        var written = ctx.writeAndFlush(http);
        if (!keepAlive) {
            written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("event=admin_connection_error error=\"{}\"", cause.toString());
        ctx.close();
    }
}
