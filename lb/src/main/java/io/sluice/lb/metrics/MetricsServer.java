package io.sluice.lb.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/** Serves the registry over HTTP (/metrics) on the configured address. Owns one small thread pool. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    public static MetricsServer start(SluiceMetrics metrics, InetSocketAddress listen) {
        try {
            return new MetricsServer(HTTPServer.builder()
                    .inetAddress(listen.getAddress())
                    .port(listen.getPort())
                    .registry(metrics.registry())
                    .buildAndStart());
        } catch (IOException e) {
            throw new UncheckedIOException("metrics cannot listen on " + listen, e);
        }
    }

    /** The port actually bound (useful when the config said 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
