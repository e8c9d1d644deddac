package io.sluice.lb.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the MAC of the IPv4 default gateway behind an interface, from the kernel's routing and
 * neighbour tables. Used when the config says {@code gateway_mac: auto}.
 */
public final class GatewayResolver {
    private static final Path ROUTES = Path.of("/proc/net/route");
    private static final Path ARP = Path.of("/proc/net/arp");
    /** The discard port: a datagram there makes the kernel resolve the neighbour and nothing answers. */
    private static final int DISCARD_PORT = 9;
    private static final Duration POLL = Duration.ofMillis(100);

    private final Path routes;
    private final Path arp;

    public GatewayResolver() {
        this(ROUTES, ARP);
    }

    GatewayResolver(Path routes, Path arp) {
        this.routes = routes;
        this.arp = arp;
    }

    /** Resolves the gateway's MAC, prompting neighbour resolution if the entry is missing. */
    public MacAddress resolve(String interfaceName, Duration timeout) {
        Inet4Address gateway = defaultGateway(interfaceName).orElseThrow(() -> new IllegalStateException(
                "gateway_mac: auto found no IPv4 default route on " + interfaceName + "; set gateway_mac explicitly"));
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<MacAddress> mac = neighbour(gateway, interfaceName);
        while (mac.isEmpty() && System.nanoTime() < deadline) {
            nudge(gateway);
            sleep(POLL);
            mac = neighbour(gateway, interfaceName);
        }
        return mac.orElseThrow(() -> new IllegalStateException("gateway_mac: auto could not resolve the MAC of gateway "
                + gateway.getHostAddress() + " on " + interfaceName + " within " + timeout.toMillis()
                + " ms; set gateway_mac explicitly"));
    }

    /** The gateway of the default route that leaves through the interface, from /proc/net/route. */
    Optional<Inet4Address> defaultGateway(String interfaceName) {
        for (String line : lines(routes)) {
            String[] f = line.trim().split("\\s+");
            // Iface Destination Gateway Flags ... Mask ...; addresses are little-endian hex.
            if (f.length < 8 || !f[0].equals(interfaceName) || !f[1].equals("00000000") || !f[7].equals("00000000")) {
                continue;
            }
            long le = Long.parseLong(f[2], 16);
            if (le == 0) {
                continue;
            }
            byte[] addr = {(byte) le, (byte) (le >> 8), (byte) (le >> 16), (byte) (le >> 24)};
            try {
                return Optional.of((Inet4Address) InetAddress.getByAddress(addr));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return Optional.empty();
    }

    /** A complete entry for the address on the interface in /proc/net/arp. */
    Optional<MacAddress> neighbour(Inet4Address address, String interfaceName) {
        String ip = address.getHostAddress();
        for (String line : lines(arp)) {
            String[] f = line.trim().split("\\s+");
            // IP address, HW type, Flags, HW address, Mask, Device; flag 0x2 = complete.
            if (f.length >= 6 && f[0].equals(ip) && f[5].equals(interfaceName)
                    && (Integer.decode(f[2]) & 0x2) != 0) {
                MacAddress mac = MacAddress.parse(f[3]);
                if (!mac.isZero()) {
                    return Optional.of(mac);
                }
            }
        }
        return Optional.empty();
    }

    private static void nudge(Inet4Address gateway) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.send(new DatagramPacket(new byte[0], 0, gateway, DISCARD_PORT));
        } catch (IOException ignored) {
            // Resolution is what we wanted; a failed send just means we poll again.
        }
    }

    private static List<String> lines(Path file) {
        try {
            List<String> all = Files.readAllLines(file);
            return all.isEmpty() ? all : all.subList(1, all.size()); // skip the header line
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resolving the gateway", e);
        }
    }
}
