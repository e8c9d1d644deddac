package io.sluice.lb.daemon;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP, the reload signal (systemctl reload). */
final class ReloadSignal {
    private ReloadSignal() {}

    /**
     * Installs {@code onHangup} for SIGHUP. False when SIGHUP was ignored when the JVM started
     * (nohup, some supervisors): the JVM then keeps the inherited ignore and installs nothing.
     */
    static boolean install(Runnable onHangup) {
        return Signal.handle(new Signal("HUP"), s -> onHangup.run()) != SignalHandler.SIG_IGN;
    }
}
