package io.sluice.lb.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Enumeration;

/**
 * One scrape as the Prometheus library's handler sees it: the Netty request read through its
 * interfaces, the answer gathered in a buffer and sent as one response when the exchange is first
 * closed. Owns the buffer until then (released if nothing was sent); the response owns it after.
 */
final class ScrapeExchange implements PrometheusHttpExchange {
    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    private final boolean keepAlive;
    private final HttpHeaders headers;
    private final ByteBuf body;
    private HttpResponseStatus status;
    private boolean sent;

    ScrapeExchange(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        this.ctx = ctx;
        this.request = request;
        this.keepAlive = keepAlive;
        this.body = ctx.alloc().buffer();
        this.headers = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK).headers();
    }

    @Override
    public PrometheusHttpRequest getRequest() {
        return new PrometheusHttpRequest() {
            @Override
            public String getQueryString() {
                String uri = request.uri();
                int question = uri.indexOf('?');
                return question < 0 ? null : uri.substring(question + 1);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return Collections.enumeration(request.headers().getAll(name));
            }

            @Override
            public String getMethod() {
                return request.method().name();
            }

            @Override
            public String getRequestPath() {
                return new QueryStringDecoder(request.uri()).path();
            }
        };
    }

    @Override
    public PrometheusHttpResponse getResponse() {
        return new PrometheusHttpResponse() {
            @Override
            public void setHeader(String name, String value) {
                headers.set(name, value);
            }

            @Override
            public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
                status = HttpResponseStatus.valueOf(statusCode);
                return new ByteBufOutputStream(body);
            }
        };
    }

    @Override
    public void handleException(IOException e) throws IOException {
        throw e;
    }

    @Override
    public void handleException(RuntimeException e) {
        throw e;
    }

    /**
     * Sends what the handler wrote; a handler that wrote nothing (it threw) gets a 500. Once: the
     * library's handler closes the exchange itself, and the caller closes it again in case it threw.
     */
    @Override
    public void close() {
        if (sent) {
            return;
        }
        sent = true;
        if (status == null) {
            body.release();
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            FullHttpResponse failed = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            send(ctx, failed, false);
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(headers);
        int length = body.readableBytes();
        if (head) {
            body.clear(); // HEAD: the length a GET would have, no body
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        send(ctx, response, keepAlive);
    }

    /** Writes {@code response}, then closes the connection unless the client keeps it alive. */
    static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        }
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }
}
