package io.sluice.health.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.sluice.health.Target;
import io.sluice.health.check.CheckAttempt;
import io.sluice.health.check.CheckResult;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.Checker;
import io.sluice.health.check.UdpCheck;
import io.sluice.health.transport.NettyTransport;

/**
 * Sends one datagram on a connected UDP socket and waits for an answer. Connecting makes the
 * kernel report an ICMP port-unreachable as an error, so a closed port fails at once instead of
 * after the timeout.
 */
public final class UdpChecker implements Checker {
    private final NettyTransport transport;

    public UdpChecker(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public Future<CheckResult> run(Target target, CheckSpec spec, EventLoop loop) {
        UdpCheck check = (UdpCheck) spec.kind();
        CheckAttempt attempt = CheckAttempt.start(loop, spec.timeout());
        byte[] expect = check.expect();
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.datagramChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .handler(new AnswerProbe(attempt, expect))
                .connect(target.socketAddress());
        attempt.onFinish(() -> connect.channel().close());
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                attempt.fail(f.cause());
                return;
            }
            f.channel().writeAndFlush(Unpooled.wrappedBuffer(check.payload())).addListener(w -> {
                if (!w.isSuccess()) {
                    attempt.fail(w.cause());
                }
            });
        });
        return attempt.future();
    }

    private static final class AnswerProbe extends ChannelInboundHandlerAdapter {
        private final CheckAttempt attempt;
        private final byte[] expect;

        AnswerProbe(CheckAttempt attempt, byte[] expect) {
            this.attempt = attempt;
            this.expect = expect;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf data = msg instanceof DatagramPacket packet ? packet.content() : (ByteBuf) msg;
                if (expect.length == 0) {
                    attempt.pass("answered " + data.readableBytes() + " bytes");
                } else if (ByteBufUtil.indexOf(Unpooled.wrappedBuffer(expect), data) >= 0) {
                    attempt.pass("answer matched");
                } else {
                    attempt.fail("answer lacks the expected bytes");
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            attempt.fail(cause);
        }
    }
}
