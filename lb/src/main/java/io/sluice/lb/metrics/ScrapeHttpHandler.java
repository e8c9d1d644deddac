package io.sluice.lb.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metrics request: {@code /metrics} (and {@code /}, as the Prometheus library's server) is a
 * scrape, {@code /-/healthy} a liveness probe; anything else is 404, a method other than GET or
 * HEAD 405, a malformed request 400.
 */
final class ScrapeHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final String HEALTHY = "Exporter is healthy.\n";

    private final PrometheusScrapeHandler scrape;

    ScrapeHttpHandler(PrometheusScrapeHandler scrape) {
        this.scrape = scrape;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request\n", false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or HEAD\n", keepAlive);
        } else if (path.equals("/-/healthy")) {
            reply(ctx, HttpResponseStatus.OK, HEALTHY, keepAlive);
        } else if (path.equals("/metrics") || path.equals("/")) {
            try (ScrapeExchange exchange = new ScrapeExchange(ctx, request, keepAlive)) {
                scrape.handleRequest(exchange);
            }
        } else {
            reply(ctx, HttpResponseStatus.NOT_FOUND, "metrics are at /metrics\n", keepAlive);
        }
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        ScrapeExchange.send(ctx, response, keepAlive);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException) && !(cause instanceof IOException)) {
            log.warn("event=metrics_request_failed error=\"{}\"", cause.toString());
        }
        ctx.close();
    }
}
