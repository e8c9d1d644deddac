package io.sluice.health.check;

/** The protocol a check speaks; each kind carries only its own settings. */
public sealed interface CheckKind permits TcpCheck, HttpCheck, UdpCheck, CommandCheck {
    /** Short name used in logs and status output, e.g. "tcp", "https". */
    String name();
}
