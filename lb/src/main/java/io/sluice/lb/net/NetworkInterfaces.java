package io.sluice.lb.net;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.io.UncheckedIOException;
import java.io.IOException;

/**
 * Interface facts in the network namespace the daemon runs in. Asks the kernel through sockets
 * (java.net.NetworkInterface), not sysfs: under `nsenter --net` /sys still shows the namespace
 * it was mounted in.
 */
public final class NetworkInterfaces {
    private NetworkInterfaces() {
    }

    /** The kernel's ifindex of the named interface, or an exception naming the interface. */
    public static int ifindex(String name) {
        return find(name).getIndex();
    }

    /** The interface's MTU as the kernel reports it. */
    public static int mtu(String name) {
        try {
            return find(name).getMTU();
        } catch (SocketException e) {
            throw new UncheckedIOException("reading the MTU of " + name, e);
        }
    }

    private static NetworkInterface find(String name) {
        try {
            NetworkInterface nic = NetworkInterface.getByName(name);
            if (nic == null) {
                throw new IllegalArgumentException("interface " + name + " does not exist in this network namespace");
            }
            return nic;
        } catch (SocketException e) {
            throw new UncheckedIOException("looking up interface " + name, (IOException) e);
        }
    }
}
