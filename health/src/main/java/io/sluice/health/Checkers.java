package io.sluice.health;

import io.sluice.health.check.CheckKind;
import io.sluice.health.check.Checker;
import io.sluice.health.check.CommandCheck;
import io.sluice.health.check.HttpCheck;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.check.UdpCheck;
import io.sluice.health.command.CommandChecker;
import io.sluice.health.http.HttpChecker;
import io.sluice.health.http.TlsContexts;
import io.sluice.health.tcp.TcpChecker;
import io.sluice.health.transport.NettyTransport;
import io.sluice.health.udp.UdpChecker;
import java.util.concurrent.Executor;

/** One checker per kind, sharing the engine's transport. */
final class Checkers {
    private final TcpChecker tcp;
    private final HttpChecker http;
    private final UdpChecker udp;
    private final CommandChecker command;

    Checkers(NettyTransport transport, Executor commandLauncher) {
        this.tcp = new TcpChecker(transport);
        this.http = new HttpChecker(transport, TlsContexts.create());
        this.udp = new UdpChecker(transport);
        this.command = new CommandChecker(commandLauncher);
    }

    Checker forKind(CheckKind kind) {
        if (kind instanceof TcpCheck) {
            return tcp;
        } else if (kind instanceof HttpCheck) {
            return http;
        } else if (kind instanceof UdpCheck) {
            return udp;
        } else if (kind instanceof CommandCheck) {
            return command;
        }
        throw new IllegalArgumentException("unknown check kind " + kind);
    }
}
