package io.sluice.health.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;

/** One transport's event-loop factory and channel classes. */
public record NettyTransport(TransportKind kind, IoHandlerFactory ioHandlerFactory,
                             Class<? extends SocketChannel> socketChannel,
                             Class<? extends DatagramChannel> datagramChannel) {
}
