package io.sluice.lb.net;

import jnr.ffi.LibraryLoader;

/**
 * Interface facts in the network namespace the daemon runs in. Asks the kernel (if_nametoindex),
 * not sysfs: under `nsenter --net` /sys still shows the namespace it was mounted in; and not
 * java.net.NetworkInterface, which does not see an interface that has no IP address.
 */
public final class NetworkInterfaces {
    /** libc's if_nametoindex(3): 0 when there is no such interface. */
    public interface LibC {
        int if_nametoindex(String name);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

    private NetworkInterfaces() {
    }

    /** The kernel's ifindex of the named interface, or an exception naming the interface. */
    public static int ifindex(String name) {
        int index = LIBC.if_nametoindex(name);
        if (index <= 0) {
            throw new IllegalArgumentException("interface " + name + " does not exist in this network namespace");
        }
        return index;
    }
}
