package io.sluice.lb.bgp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The route table through iproute2's {@code ip}: a handful of changes a day on a few VIPs, where a
 * netlink binding of our own would be more code to get wrong than the well-kept tool.
 */
public final class IpRouteTable implements RouteTable {
    private static final long TIMEOUT_SECONDS = 5;
    /** The routes are sluice's: a protocol BIRD's kernel protocol learns (it skips "kernel" routes). */
    private static final String PROTOCOL = "static";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What ip says about a table that has never held a route. */
    private static final String NO_TABLE = "table does not exist";

    private final String ip;
    private final String device;
    private final int table;

    public IpRouteTable(String ip, String device, int table) {
        this.ip = ip;
        this.device = device;
        this.table = table;
    }

    /** Brings the device up (a route needs an up device). */
    public void linkUp() {
        run(List.of(ip, "link", "set", "dev", device, "up"));
    }

    @Override
    public Set<InetAddress> read() {
        Set<InetAddress> routes = new HashSet<>();
        for (String family : List.of("-4", "-6")) {
            String out;
            try {
                out = run(List.of(ip, "-j", family, "route", "show", "table", Integer.toString(table), "dev", device));
            } catch (IllegalStateException e) {
                if (e.getMessage().contains(NO_TABLE)) {
                    continue; // the kernel makes a table with its first route: none yet
                }
                throw e;
            }
            try {
                JsonNode list = JSON.readTree(out.isBlank() ? "[]" : out);
                for (JsonNode route : list) {
                    String dst = route.path("dst").asText("");
                    int slash = dst.indexOf('/');
                    String address = slash < 0 ? dst : dst.substring(0, slash);
                    boolean host = slash < 0 || dst.endsWith("/32") || dst.endsWith("/128");
                    if (host && !address.isEmpty() && !"default".equals(address)) {
                        routes.add(InetAddress.getByName(address));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read table " + table + ": " + e.getMessage());
            }
        }
        return routes;
    }

    @Override
    public void add(InetAddress vip) {
        run(List.of(ip, family(vip), "route", "replace", prefix(vip), "dev", device, "table", Integer.toString(table),
                "proto", PROTOCOL));
    }

    @Override
    public void remove(InetAddress vip) {
        List<String> command = List.of(ip, family(vip), "route", "del", prefix(vip), "dev", device, "table",
                Integer.toString(table));
        try {
            run(command);
        } catch (IllegalStateException e) {
            if (!read().contains(vip)) {
                return; // already gone: the goal is met
            }
            throw e;
        }
    }

    private static String family(InetAddress vip) {
        return vip instanceof Inet6Address ? "-6" : "-4";
    }

    private static String prefix(InetAddress vip) {
        return vip.getHostAddress().replaceAll("%.*$", "") + (vip instanceof Inet6Address ? "/128" : "/32");
    }

    /**
     * Runs ip with its output in files, not pipes, so the timeout holds even when ip hangs (reading a
     * pipe to its end would wait for ip first) and a long answer never blocks ip on a full pipe.
     */
    private static String run(List<String> command) {
        String shown = String.join(" ", command);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("sluice-ip", ".out");
            err = Files.createTempFile("sluice-ip", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(shown + ": timed out");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(shown + ": " + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(shown + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(shown + ": interrupted");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }
}
