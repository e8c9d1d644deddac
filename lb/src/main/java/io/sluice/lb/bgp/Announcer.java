package io.sluice.lb.bgp;

import io.sluice.lb.config.BgpConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.net.AddressText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the VIP routes BIRD announces equal to what {@link AnnouncePolicy} decides. Owned by the
 * daemon's thread: every call comes from there.
 */
public final class Announcer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final String IP_COMMAND = "ip";
    /**
     * How often the table is read back even when nothing failed: a route someone deleted (ip route
     * flush, another tool) would otherwise stay withdrawn while the host serves. Two `ip` runs.
     */
    static final Duration REREAD_INTERVAL = Duration.ofSeconds(10);

    private final RouteTable routes;
    private final AutoCloseable device;
    private final Runnable removeDevice;
    private final Path stateFile;
    private final BgpMetrics metrics;
    private final Clock clock;
    private HostState host;
    private Set<InetAddress> installed;
    private boolean stale;
    private Instant nextReread;
    private List<VipConfig> vips = List.of();
    private Set<VipKey> serving = Set.of();
    private boolean attached;
    private Map<InetAddress, AnnouncePolicy.Verdict> verdicts = Map.of();
    private volatile HostView view;

    Announcer(RouteTable routes, AutoCloseable device, Runnable removeDevice, Path stateFile, BgpMetrics metrics,
              Clock clock) {
        this.routes = routes;
        this.device = device;
        this.removeDevice = removeDevice;
        this.stateFile = stateFile;
        this.metrics = metrics;
        this.clock = clock;
        HostState.Loaded loaded = HostState.load(stateFile);
        loaded.problem().ifPresent(p -> log.error("event=host_state_unreadable reason=\"{}\" host=drained"
                + " fix=\"sluice host undrain rewrites it\"", p));
        this.host = loaded.state();
        this.installed = new HashSet<>(routes.read());
        this.nextReread = clock.instant().plus(REREAD_INTERVAL);
        metrics.hostDrained(host.drained());
        this.view = new HostView(true, host.drained(), host.since().map(Object::toString).orElse(null), Map.of());
    }

    /**
     * Opens the TUN device (persistent only with on_crash: keep), brings it up, and reads what a
     * previous daemon left in the table (keep mode): nothing is withdrawn until a sync decides.
     */
    public static Announcer start(BgpConfig config, BgpMetrics metrics) {
        TunDevice tun = TunDevice.open(config.device(), config.onCrash() == BgpConfig.OnCrash.KEEP);
        try {
            IpRouteTable table = new IpRouteTable(IP_COMMAND, config.device(), config.table());
            table.linkUp();
            Announcer announcer = new Announcer(table, tun, tun::remove, config.hostStateFile(), metrics,
                    Clock.systemUTC());
            log.info("event=bgp_ready device={} table={} on_crash={} host_drained={} routes_found={}",
                    config.device(), config.table(), config.onCrash().name().toLowerCase(java.util.Locale.ROOT),
                    announcer.host.drained(), announcer.installed.size());
            return announcer;
        } catch (RuntimeException e) {
            tun.remove();
            throw e;
        }
    }

    /** The inputs changed (a reconcile, a refresh): make the routes match the verdicts. */
    public void sync(List<VipConfig> newVips, Set<VipKey> newServing, boolean nowAttached) {
        this.vips = List.copyOf(newVips);
        this.serving = Set.copyOf(newServing);
        this.attached = nowAttached;
        apply();
    }

    /** The operator drains (true) or undrains the host; kept in the state file before routes change. */
    public HostView drain(boolean drained) throws IOException {
        HostState next = new HostState(drained, Optional.of(clock.instant()));
        next.save(stateFile);
        if (host.drained() != drained) {
            log.info("event=host_{} state_file={}", drained ? "drained" : "undrained", stateFile);
        }
        host = next;
        metrics.hostDrained(drained);
        apply();
        return view;
    }

    public HostView view() {
        return view;
    }

    public boolean drained() {
        return host.drained();
    }

    private void apply() {
        Map<InetAddress, AnnouncePolicy.Verdict> next = AnnouncePolicy.decide(vips, serving, attached,
                host.drained());
        if (stale || !clock.instant().isBefore(nextReread)) {
            try {
                reread();
            } catch (RuntimeException e) {
                routeFailed("read", null, e);
                return;
            }
        }
        Set<InetAddress> wanted = new HashSet<>();
        next.forEach((address, verdict) -> {
            if (verdict == AnnouncePolicy.Verdict.ANNOUNCED) {
                wanted.add(address);
            }
        });
        for (InetAddress address : Set.copyOf(installed)) {
            if (!wanted.contains(address)) {
                change(address, false, next.containsKey(address) ? next.get(address).label() : "vip_removed");
            }
        }
        for (InetAddress address : wanted) {
            if (!installed.contains(address)) {
                change(address, true, AnnouncePolicy.Verdict.ANNOUNCED.label());
            }
        }
        for (InetAddress gone : verdicts.keySet()) {
            if (!next.containsKey(gone)) {
                metrics.forget(AddressText.of(gone));
            }
        }
        next.forEach((address, verdict) -> metrics.state(AddressText.of(address), verdict));
        verdicts = next;
        Map<String, String> shown = new LinkedHashMap<>();
        next.forEach((address, verdict) -> shown.put(AddressText.of(address),
                installed.contains(address) == (verdict == AnnouncePolicy.Verdict.ANNOUNCED) ? verdict.label()
                        : verdict.label() + " (route change pending)"));
        view = new HostView(true, host.drained(), host.since().map(Object::toString).orElse(null), shown);
    }

    /** Reads the table back; what differs from what we installed is put right by the caller's diff. */
    private void reread() {
        Set<InetAddress> found = new HashSet<>(routes.read());
        if (!stale && !found.equals(installed)) {
            metrics.routeDrifted();
            log.warn("event=bgp_route_drift missing=\"{}\" unexpected=\"{}\" fix=reapplied",
                    addresses(installed, found), addresses(found, installed));
        }
        installed = found;
        stale = false;
        nextReread = clock.instant().plus(REREAD_INTERVAL);
    }

    /** The addresses in {@code these} and not in {@code those}, as text. */
    private static String addresses(Set<InetAddress> these, Set<InetAddress> those) {
        return String.join(" ", these.stream().filter(a -> !those.contains(a)).map(AddressText::of).sorted().toList());
    }

    private void change(InetAddress address, boolean announce, String why) {
        try {
            if (announce) {
                routes.add(address);
                installed.add(address);
            } else {
                routes.remove(address);
                installed.remove(address);
            }
            metrics.changed(announce);
            log.info("event=bgp_{} address={} reason={}", announce ? "announce" : "withdraw", AddressText.of(address),
                    why);
        } catch (RuntimeException e) {
            routeFailed(announce ? "announce" : "withdraw", address, e);
        }
    }

    private void routeFailed(String op, InetAddress address, RuntimeException e) {
        stale = true;
        metrics.routeFailed();
        log.error("event=bgp_route_failed op={} address={} error=\"{}\" retry=next_refresh", op,
                address == null ? "" : AddressText.of(address), e.getMessage());
    }

    /**
     * A clean stop: every VIP is withdrawn and the device removed, persistent or not. BIRD sees the
     * routes go at once and sends the withdrawals.
     */
    @Override
    public void close() {
        for (InetAddress address : Set.copyOf(installed)) {
            change(address, false, "shutdown");
        }
        log.info("event=bgp_stopped routes_left={}", installed.size());
        removeDevice.run();
        try {
            device.close();
        } catch (Exception e) {
            log.warn("event=bgp_device_close_failed error=\"{}\"", e.getMessage());
        }
    }
}
