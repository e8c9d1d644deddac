package io.sluice.health.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.HttpCheck;
import java.nio.charset.StandardCharsets;

/** Sends the request when the connection is up and turns the answer into a verdict. */
final class ResponseProbe extends ChannelInboundHandlerAdapter {
    /** Bodies are searched only this far: a health page is small, a huge one is a misconfiguration. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpRequest request;
    private final HttpCheck check;
    private final CheckAttempt attempt;
    /** ISO-8859-1 keeps one char per byte, so a UTF-8 needle matches byte for byte. */
    private final String needle;
    private final StringBuilder body = new StringBuilder();
    private int status;

    ResponseProbe(HttpRequest request, HttpCheck check, CheckAttempt attempt) {
        this.request = request;
        this.check = check;
        this.attempt = attempt;
        this.needle = check.bodyContains() == null ? null
                : new String(check.bodyContains().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                attempt.fail(f.cause());
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                onHead(response);
            }
            if (msg instanceof HttpContent content && !attempt.done()) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        status = response.status().code();
        if (!check.expectedStatus().matches(status)) {
            attempt.fail("HTTP " + status + ", expected " + check.expectedStatus());
        } else if (needle == null) {
            attempt.pass("HTTP " + status);
        }
    }

    private void onContent(HttpContent content) {
        ByteBuf data = content.content();
        int room = MAX_BODY_BYTES - body.length();
        if (room > 0) {
            body.append(data.toString(data.readerIndex(), Math.min(room, data.readableBytes()),
                    StandardCharsets.ISO_8859_1));
        }
        if (body.indexOf(needle) >= 0) {
            attempt.pass("HTTP " + status + ", body matched");
        } else if (content instanceof LastHttpContent || body.length() >= MAX_BODY_BYTES) {
            attempt.fail("HTTP " + status + ", body lacks '" + check.bodyContains() + "'");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        attempt.fail("connection closed before a complete answer");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        attempt.fail(cause);
        ctx.close();
    }
}
