package io.sluice.health.transport;

/** Netty I/O transports, in order of preference. */
public enum TransportKind {
    IO_URING,
    EPOLL,
    NIO
}
