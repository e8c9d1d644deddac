package io.sluice.lb.bgp;

import java.net.InetAddress;
import java.util.Set;

/** The VIP host routes in sluice's own kernel table: what BIRD learns and announces. */
public interface RouteTable {
    /** The VIP addresses routed through the device now. */
    Set<InetAddress> read();

    /** Adds (or keeps) the host route of one VIP address. */
    void add(InetAddress vip);

    /** Removes the host route of one VIP address; absent is fine. */
    void remove(InetAddress vip);
}
