package io.sluice.lb.daemon;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd (Type=notify) what the daemon is doing. A no-op unless systemd started us with
 * NOTIFY_SOCKET set. Uses systemd-notify(1) rather than a datagram from Java: the JDK has no
 * unix datagram sockets, and the unit sets NotifyAccess=all so the helper's message counts.
 */
public final class SystemdNotify {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final String SOCKET_VARIABLE = "NOTIFY_SOCKET";
    private static final String HELPER = "systemd-notify";
    private static final long HELPER_TIMEOUT_SECONDS = 5;
    private static final String WATCHDOG_VARIABLE = "WATCHDOG_USEC";
    private static final String WATCHDOG_PID_VARIABLE = "WATCHDOG_PID";

    private final String socket;
    private final long pid;

    /** Half the unit's WatchdogSec (systemd's advice), or null when the watchdog is off. */
    private final java.time.Duration watchdogEvery;

    SystemdNotify(String socket, long pid) {
        this(socket, pid, null);
    }

    SystemdNotify(String socket, long pid, java.time.Duration watchdogEvery) {
        this.socket = socket;
        this.pid = pid;
        this.watchdogEvery = watchdogEvery;
    }

    /** The notifier for this process, reading NOTIFY_SOCKET and WATCHDOG_USEC from the environment. */
    public static SystemdNotify fromEnvironment() {
        long pid = ProcessHandle.current().pid();
        return new SystemdNotify(System.getenv(SOCKET_VARIABLE), pid,
                watchdogInterval(System.getenv(WATCHDOG_VARIABLE), System.getenv(WATCHDOG_PID_VARIABLE), pid));
    }

    /** WatchdogSec / 2 when the watchdog is meant for this process; null otherwise. */
    static java.time.Duration watchdogInterval(String usec, String forPid, long pid) {
        if (usec == null || usec.isBlank()) {
            return null;
        }
        try {
            if (forPid != null && !forPid.isBlank() && Long.parseLong(forPid.strip()) != pid) {
                return null;
            }
            long micros = Long.parseLong(usec.strip());
            return micros <= 0 ? null : java.time.Duration.ofNanos(micros * 1_000 / 2);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** How often {@link #watchdog()} must be called; empty when systemd's watchdog is off. */
    public java.util.Optional<java.time.Duration> watchdogEvery() {
        return enabled() ? java.util.Optional.ofNullable(watchdogEvery) : java.util.Optional.empty();
    }

    /**
     * The daemon's event loop is alive. Sent from that loop only: a hung loop stops the pings and
     * systemd kills the process (WatchdogSec), which withdraws its BGP routes (docs/bgp.md).
     */
    public void watchdog() {
        send("WATCHDOG=1");
    }

    public boolean enabled() {
        return socket != null && !socket.isBlank();
    }

    /** The data plane is attached and programmed: the unit becomes active. */
    public void ready() {
        send("--ready", "--status=attached and programmed");
    }

    /** A reload (SIGHUP) started; systemctl reload waits for {@link #reloaded()}. */
    public void reloading() {
        send("RELOADING=1");
    }

    /** The reload finished (applied or rejected: either way the daemon is serving). */
    public void reloaded() {
        send("READY=1");
    }

    /** The command that would be run, for tests; empty when not under systemd. */
    List<String> command(String... assignments) {
        if (!enabled()) {
            return List.of();
        }
        List<String> command = new java.util.ArrayList<>(List.of(HELPER, "--pid=" + pid));
        command.addAll(List.of(assignments));
        return List.copyOf(command);
    }

    private void send(String... assignments) {
        List<String> command = command(assignments);
        if (command.isEmpty()) {
            return;
        }
        try {
            Process helper = new ProcessBuilder(command).inheritIO().start();
            if (!helper.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                helper.destroyForcibly();
                log.warn("event=systemd_notify_failed reason=\"{} timed out\"", HELPER);
            } else if (helper.exitValue() != 0) {
                log.warn("event=systemd_notify_failed reason=\"{} exited {}\"", HELPER, helper.exitValue());
            }
        } catch (IOException e) {
            log.warn("event=systemd_notify_failed reason=\"{}\"", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
