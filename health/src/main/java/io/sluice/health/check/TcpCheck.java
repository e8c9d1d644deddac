package io.sluice.health.check;

/** Passes when a TCP connection to the target is established within the timeout. */
public record TcpCheck() implements CheckKind {
    @Override
    public String name() {
        return "tcp";
    }
}
