package io.sluice.lb.reconcile;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The canonical, host-independent name of a backend. Maglev permutations are derived from it,
 * so it must never depend on how the operator spelled the address (e.g. "fd00::0:1" vs "fd00::1").
 */
final class BackendIdentity {
    private BackendIdentity() {
    }

    static String of(InetAddress address) {
        String text = address.getHostAddress();
        if (address instanceof Inet6Address) {
            // getHostAddress() gives the full form without zone for literals; bracket it so it can't be
            // confused with an IPv4 identity and stays stable.
            int zone = text.indexOf('%');
            return "[" + (zone >= 0 ? text.substring(0, zone) : text) + "]";
        }
        return text;
    }
}
