package io.sluice.lb.daemon;

import io.sluice.health.EngineOptions;
import io.sluice.health.HealthEngine;
import io.sluice.lb.admin.AdminBridge;
import io.sluice.lb.admin.ConfigChange;
import io.sluice.lb.bgp.Announcer;
import io.sluice.lb.bgp.BgpMetrics;
import io.sluice.lb.bgp.HostControl;
import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DataplaneIds;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.consul.ConsulBridge;
import io.sluice.lb.consul.DiscoveryUpdate;
import io.sluice.lb.consul.KvUpdate;
import io.sluice.lb.consul.SharedConfig;
import io.sluice.lb.consul.SharedConfigUnavailable;
import io.sluice.lb.metrics.ConsulKvMetrics;
import io.sluice.lb.metrics.ConsulMetrics;
import io.sluice.lb.dataplane.FlowFamily;
import io.sluice.lb.dataplane.FlowOccupancy;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dos.DosControl;
import io.sluice.lb.dos.DosService;
import io.sluice.lb.drain.DataplaneBackends;
import io.sluice.lb.drain.DrainBook;
import io.sluice.lb.drain.DrainTransition;
import io.sluice.lb.drain.PreviousDrains;
import io.sluice.lb.net.AddressText;
import io.sluice.lb.net.Bpffs;
import io.sluice.lb.net.NetworkInterfaces;
import io.sluice.lb.net.ServerEventLoop;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.ReconcileReport;
import io.sluice.lb.reconcile.Reconciler;
import io.sluice.lb.metrics.MetricsServer;
import io.sluice.lb.metrics.SluiceMetrics;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.StatusFile;
import io.sluice.lb.steering.BackendRef;
import io.sluice.lb.steering.HealthBook;
import io.sluice.lb.steering.HealthEvent;
import io.sluice.lb.steering.HealthSupervisor;
import io.sluice.lb.steering.Steering;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The running daemon: attach or adopt, reconcile, then apply reloads and health changes until told
 * to stop.
 *
 * <p>Threads: every map write, every health-book change and every status write happens on the thread
 * that calls {@link #run()}. Signal handlers, the health engine's listener thread and the admin API
 * (an {@code Apply} with a validated config and a reply future) only post an {@link Event} to the
 * queue, so nothing races a reconcile. The once-a-second refresh is the loop's own: it waits on the
 * queue until the next tick ({@link RefreshTicks}).
 */
final class Daemon {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    /** How often slow-start ramps advance and the status file's counters are refreshed. */
    private static final Duration REFRESH = Duration.ofSeconds(1);
    /**
     * The flow-count gauge reads one of this many segments of the flow cache per refresh (for the
     * default table, 4,096 buckets: one batch syscall), so the whole table once every 32 s.
     */
    private static final int FLOW_OCCUPANCY_SEGMENTS = 32;
    /**
     * Health events handled together at most. A burst (a rack failing its checks) takes one
     * reconcile instead of one per event (each builds and swaps the VIP's table: 11-18 ms of CPU,
     * ReconcileBenchmark), which kept the last of the failed backends in the tables until the
     * queue had drained.
     */
    private static final int MAX_HEALTH_RUN = 4096;

    private sealed interface Event permits Reload, Stop, Health, Refresh, Apply, Discovery, Shared, OnDaemon {
    }

    /** The watch of the fleet's shared document (consul.kv) saw a new version, or a refusal. */
    private record Shared(KvUpdate update) implements Event {
    }

    /** A call from the admin API that must run on this thread (DoS blocks); it completes its own future. */
    private record OnDaemon(Runnable task) implements Event {
    }

    /** A validated config from the admin API, applied as one reconcile; the reply says how it went. */
    private record Apply(ConfigChange change) implements Event {
    }

    /** A Consul watch saw the backend set of a discovering VIP change. */
    private record Discovery(DiscoveryUpdate update) implements Event {
    }

    private record Reload() implements Event {
    }

    private record Stop() implements Event {
    }

    private record Health(HealthEvent event) implements Event {
    }

    private record Refresh() implements Event {
    }

    private final Path configFile;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();
    private final Clock clock = Clock.systemUTC();
    private final DesiredStateBuilder desiredStates = new DesiredStateBuilder();
    private final HealthBook healthBook = new HealthBook();
    private final Steering steering = new Steering();
    private final SluiceMetrics metrics = new SluiceMetrics(Version.current());
    private final AdminBridge admin;
    private DrainBook drains;
    /** The config the daemon runs on: the file's, with Consul-discovered backends laid in. */
    private SluiceConfig config;
    /** The desired config: the file's, with the fleet's shared document laid in when consul.kv is set. */
    private SluiceConfig fileConfig;
    /** The local file alone (what reloads and API edits replace); equal to fileConfig without consul.kv. */
    private SluiceConfig localConfig;
    private final ConsulMetrics consulMetrics = new ConsulMetrics(metrics.registry());
    private final ConsulBridge consul = new ConsulBridge(consulMetrics, u -> events.add(new Discovery(u)),
            System.getenv(), Version.current());
    /** The fleet's shared document (consul.kv); null when the file holds the VIPs. */
    private SharedConfig shared;
    private boolean attached = true;
    private LbConfigEntry settings;
    private DesiredState applied;
    /** Each VIP's table fingerprint after the last successful reconcile. */
    private Map<VipKey, String> fingerprints = Map.of();
    private Set<VipKey> allDown = Set.of();
    private boolean ramping;
    private boolean reconcileFailed;
    private final Map<FlowFamily, FlowOccupancy> flowOccupancy = FlowOccupancy.perFamily(FLOW_OCCUPANCY_SEGMENTS);
    /** Reconciles attempted: the maps' VIP and backend ids are read again when it moves. */
    private long reconciles;
    private final DataplaneIds dataplaneIds = new DataplaneIds();
    private DosService dos;
    private final DosControl dosControl = new DosControl(() -> dos, task -> events.add(new OnDaemon(task)),
            () -> config.dos().blocksFile());

    private final boolean detachOnExit;
    /** BGP announcements (docs/bgp.md); null while bgp is off. */
    private Announcer bgp;
    private final BgpMetrics bgpMetrics = new BgpMetrics(metrics.registry());
    private final HostControl host = new HostControl(() -> bgp, task -> events.add(new OnDaemon(task)));
    /** The VIPs with a backend for new flows after the last reconcile: what BGP may announce. */
    private Set<VipKey> announceable = Set.of();
    private Instant lastWatchdog = Instant.EPOCH;

    Daemon(Path configFile, SluiceConfig config, boolean detachOnExit) {
        this.configFile = configFile;
        this.config = config;
        this.admin = new AdminBridge(configFile, config, change -> events.add(new Apply(change)));
        this.fileConfig = config;
        this.localConfig = config;
        this.detachOnExit = detachOnExit;
    }

    int run() {
        try {
            startShared(); // before attaching: a host with no shared config to run must not program anything
            return runAttached();
        } finally {
            if (shared != null) {
                shared.close();
            }
        }
    }

    /** With consul.kv: the document in Consul (or the cached last good one) laid over the file. */
    private void startShared() {
        if (localConfig.consul().kv().isEmpty()) {
            return;
        }
        try {
            shared = SharedConfig.create(localConfig.consul(), System.getenv(), consulMetrics,
                    new ConsulKvMetrics(metrics.registry()), u -> events.add(new Shared(u)));
        } catch (java.io.IOException | RuntimeException e) {
            throw new SharedConfigUnavailable("consul: " + e.getMessage());
        }
        fileConfig = shared.initial(localConfig);
        config = fileConfig;
        admin.shared(shared.key(), shared.inForce().orElse(null));
    }

    private int runAttached() {
        Bpffs.ensureMounted(Bpffs.DEFAULT_MOUNT);
        int ifindex = NetworkInterfaces.ifindex(config.interfaceName());
        settings = desiredStates.settings(config);
        Instant startedAt = clock.instant();

        try (AttachedDataplane dataplane = AttachedDataplane.attachOrAdopt(config.interfaceName(), ifindex,
                config.pinDir(), config.xdpMode().toBpf(), config.flowTableSize());
             HealthSupervisor health = new HealthSupervisor(
                     HealthEngine.start(EngineOptions.defaults().withObserver(metrics::checkResult)),
                     e -> events.add(new Health(e)));
             ServerEventLoop serverLoop = ServerEventLoop.start("sluiced-http"); // closed after both servers
             MetricsServer metricsServer = startMetrics(serverLoop);
             AdminEndpoint adminServer = AdminEndpoint.start(config.admin(), admin, metrics, dosControl, host,
                     serverLoop)) {
            installSignalHandlers(); // early: a reload or stop during startup waits in the queue
            Set<BackendRef> serving = DataplaneBackends.serving(ids(dataplane.maps()));
            // Fills and drains the previous daemon had go on from when they began (its last status file).
            drains = new DrainBook(serving, PreviousDrains.read(config.statusFile(), config.pinDir()));
            Reconciler reconciler = new Reconciler(dataplane.maps());
            dos = new DosService(dataplane.dosMaps(), () -> vipIds(dataplane.maps()), dataplane.maps()::reasonCounts,
                    clock, metrics.registry());
            StatusBuilder status = new StatusBuilder(config.interfaceName(), dataplane.adopted(), startedAt);
            consul.prepare(fileConfig);
            config = consul.apply(fileConfig);
            // An adopted data plane says which backends were serving: only those start UP.
            health.apply(config, healthBook, ref -> !dataplane.adopted() || serving.contains(ref), clock.instant());
            reconcile(reconciler, "startup");
            if (reconcileFailed) {
                // Never report ready with maps that do not hold the config; systemd restarts us.
                throw new IllegalStateException("the first reconcile failed: see event=reconcile_failed");
            }
            dosControl.restore(); // temporary manual blocks kept over the restart
            if (config.bgp().enabled()) {
                bgp = Announcer.start(config.bgp(), bgpMetrics);
                announce(); // only now: the program is attached and the tables hold the config
            }
            writeStatus(status, health, dataplane);
            log.info("event=ready interface={} adopted={} vips={} health_transport={} version={}",
                    config.interfaceName(), dataplane.adopted(), config.vips().size(), health.transport(),
                    Version.current());
            systemd.ready();
            lastWatchdog = clock.instant(); // READY=1 arms systemd's watchdog: the first ping is due from here

            RefreshTicks ticks = new RefreshTicks(REFRESH, System::nanoTime);
            while (true) {
                Event event = take(ticks);
                if (event instanceof Stop) {
                    break;
                }
                if (event instanceof Reload) {
                    systemd.reloading();
                    reload(reconciler, health);
                    systemd.reloaded();
                } else if (event instanceof Apply a) {
                    a.change().reply().complete(applyChange(a.change(), reconciler, health));
                } else if (event instanceof Health h) {
                    onHealth(QueuedRun.take(h, events, Health.class, MAX_HEALTH_RUN), reconciler);
                } else if (event instanceof OnDaemon t) {
                    t.task().run();
                } else if (event instanceof Discovery d) {
                    onDiscovery(d.update(), reconciler, health);
                } else if (event instanceof Shared u) {
                    onShared(u.update(), reconciler, health);
                } else {
                    refresh(reconciler, dataplane);
                }
                writeStatus(status, health, dataplane);
            }
        } finally {
            if (bgp != null) {
                bgp.close(); // withdraws every VIP first: the fleet stops sending before anything else goes
            }
            consul.close(); // deregisters every VIP: a clean stop
        }
        if (detachOnExit) {
            boolean wasAttached = AttachedDataplane.detach(config.pinDir());
            log.info("event=stopped data_plane=removed pin_dir={} was_attached={}", config.pinDir(), wasAttached);
            return Sluiced.EXIT_OK;
        }
        log.info("event=stopped data_plane=left_running pin_dir={}", config.pinDir());
        return Sluiced.EXIT_OK;
    }

    /** The once-a-second tick: advance slow-start ramps, retry a failed reconcile, sample the flow cache. */
    private void refresh(Reconciler reconciler, AttachedDataplane dataplane) {
        pingWatchdog(); // first: the loop took this event, so it is alive
        if (reconcileFailed) {
            reconcile(reconciler, "retry");
        } else if (ramping) {
            reconcile(reconciler, "slow_start");
        }
        if (drains.anyDraining()) {
            List<DrainTransition> ended = DataplaneBackends.sample(drains, config.vips(), dataplane.maps(),
                    ids(dataplane.maps()), clock.instant());
            if (!ended.isEmpty()) {
                logDrain(ended);
                reconcile(reconciler, "drain");
            }
        }
        try {
            dos.tick();
        } catch (RuntimeException e) {
            log.error("event=dos_apply_failed cause=tick error=\"{}\" retry=next_refresh", e.getMessage());
        }
        flowOccupancy.forEach((family, occupancy) -> {
            metrics.flowTableFlows(family.label(), occupancy.refresh(FlowOccupancy.of(dataplane.maps(), family)));
            metrics.flowTableSlots(family.label(), dataplane.maps().flowLayout().slots());
        });
        if (dataplane.attached() != attached) {
            attached = !attached;
            log.warn("event=dataplane_{} interface={}", attached ? "attached_again" : "detached",
                    config.interfaceName());
        }
        consul.publish(config, applied, allDown, attached);
        announce();
    }

    /** BGP follows every reconcile and refresh: announced while attached, serving and not drained. */
    private void announce() {
        if (bgp != null) {
            bgp.sync(config.vips(), announceable, attached);
        }
    }

    /** Tells systemd the event loop is alive (only this loop pings: a hang stops the pings). */
    private void pingWatchdog() {
        var every = systemd.watchdogEvery();
        Instant now = clock.instant();
        if (every.isPresent() && Duration.between(lastWatchdog, now).compareTo(every.get().minus(REFRESH)) >= 0) {
            systemd.watchdog();
            lastWatchdog = now;
        }
    }

    /** Null when the config turns metrics off (try-with-resources skips a null resource). */
    private MetricsServer startMetrics(ServerEventLoop loop) {
        if (config.metricsListen().isEmpty()) {
            return null;
        }
        MetricsServer server = MetricsServer.start(metrics, config.metricsListen().get(), loop);
        log.info("event=metrics_listening address={} port={}",
                AddressText.of(config.metricsListen().get().getAddress()), server.port());
        return server;
    }

    /** Health transitions, queued together: each logged and counted, then one reconcile for all. */
    private void onHealth(List<Health> run, Reconciler reconciler) {
        boolean changed = false;
        for (Health h : run) {
            changed |= onHealth(h.event());
        }
        if (changed) {
            reconcile(reconciler, "health");
        }
    }

    /** False for a stale event: the backend is no longer checked, or already in that state. */
    private boolean onHealth(HealthEvent event) {
        if (!healthBook.apply(event, clock.instant())) {
            return false;
        }
        var r = event.result();
        log.info("event=health_changed vip={}:{}/{} backend={} from={} to={} detail=\"{}\" latency_ms={}",
                AddressText.of(event.backend().vip().address()), event.backend().vip().port(),
                event.backend().vip().protocol().name().toLowerCase(Locale.ROOT),
                AddressText.of(event.backend().address()), lower(event.from()), lower(event.to()),
                r == null ? "" : r.detail(), r == null ? "" : r.latency().toMillis());
        metrics.healthTransition(vipName(event.backend().vip()), AddressText.of(event.backend().address()),
                lower(event.to()));
        return true;
    }

    /** A discovered backend set changed: lay it into the running config and reconcile once. */
    private void onDiscovery(DiscoveryUpdate update, Reconciler reconciler, HealthSupervisor health) {
        ConsulBridge.Outcome outcome = consul.accept(update, fileConfig);
        if (outcome == ConsulBridge.Outcome.RECONCILE) {
            config = consul.merge(fileConfig);
            health.apply(config, healthBook, false, clock.instant());
            reconcile(reconciler, "consul");
        } else if (outcome == ConsulBridge.Outcome.VERDICT_ONLY) {
            consul.publish(config, applied, allDown, attached);
        }
    }

    /**
     * A new version of the shared document: validated whole against this host's file (by
     * SharedConfig), then applied like a reload, in one reconcile. A rejected one changes nothing.
     */
    private void onShared(KvUpdate update, Reconciler reconciler, HealthSupervisor health) {
        SharedConfig.Result result = shared.accept(update, localConfig);
        admin.shared(shared.key(), shared.inForce().orElse(null));
        if (result.outcome() != SharedConfig.Outcome.APPLY || result.config().equals(fileConfig)) {
            return; // rejected (logged, counted), or a new version with the same content
        }
        SluiceConfig candidate = result.config();
        try {
            consul.prepare(candidate); // the first config that uses Consul starts it
        } catch (IllegalStateException e) {
            log.error("event=consul_kv_not_applied key={} reason=\"{}\" running_config=kept", shared.key(),
                    e.getMessage());
            return;
        }
        fileConfig = candidate;
        config = consul.apply(candidate);
        admin.publish(localConfig, config);
        health.apply(config, healthBook, false, clock.instant());
        reconcile(reconciler, "consul_kv");
    }

    /** The file as it is now, with the shared document laid in when consul.kv is set (SharedConfig.merge). */
    private SharedConfig.Merge desired(SluiceConfig local) throws ConfigException {
        return shared == null || local.consul().kv().isEmpty() ? SharedConfig.Merge.fileOnly(local)
                : shared.merge(local);
    }

    /** The merge runs now: a shared document it retried is the one in force (status, admin API). */
    private void mergeApplied(SharedConfig.Merge merge, String cause) {
        if (shared != null) {
            shared.applied(merge, cause);
            admin.shared(shared.key(), shared.inForce().orElse(null));
        }
    }

    /** Validates the whole new config first: an invalid one changes nothing that is running. */
    private void reload(Reconciler reconciler, HealthSupervisor health) {
        SluiceConfig local;
        SharedConfig.Merge merge;
        SluiceConfig candidate;
        LbConfigEntry candidateSettings;
        try {
            local = ConfigLoader.load(configFile);
            merge = desired(local);
            candidate = merge.config();
            candidateSettings = desiredStates.settings(candidate);
        } catch (ConfigException | RuntimeException e) {
            log.error("event=reload_rejected file={} reason=\"{}\" running_config=kept", configFile, e.getMessage());
            return;
        }
        String fixed = ReloadCompatibility.unchangeableDifference(config, candidate);
        if (fixed != null) {
            log.error("event=reload_rejected file={} reason=\"{} cannot change without a restart\" running_config=kept",
                    configFile, fixed);
            return;
        }
        try {
            consul.prepare(candidate); // the first config that uses Consul starts it
        } catch (IllegalStateException e) {
            log.error("event=reload_rejected file={} reason=\"{}\" running_config=kept", configFile, e.getMessage());
            return;
        }
        localConfig = local;
        fileConfig = candidate;
        config = consul.apply(candidate);
        settings = candidateSettings;
        mergeApplied(merge, "reload");
        health.apply(config, healthBook, false, clock.instant());
        reconcile(reconciler, "reload");
    }

    /** An admin API change: same rules as a reload, and the file is written only once it is accepted. */
    private ConfigChange.Outcome applyChange(ConfigChange change, Reconciler reconciler, HealthSupervisor health) {
        SluiceConfig local = change.candidate();
        SharedConfig.Merge merge;
        SluiceConfig candidate;
        try {
            merge = desired(local);
            candidate = merge.config();
        } catch (ConfigException e) {
            log.error("event=change_rejected cause={} reason=\"{}\" running_config=kept", change.cause(),
                    e.getMessage());
            return ConfigChange.Outcome.failed(e.getMessage());
        }
        String fixed = ReloadCompatibility.unchangeableDifference(config, candidate);
        if (fixed != null) {
            log.error("event=change_rejected cause={} reason=\"{} cannot change without a restart\"", change.cause(),
                    fixed);
            return ConfigChange.Outcome.refused(fixed, "cannot change without a restart");
        }
        LbConfigEntry candidateSettings;
        try {
            candidateSettings = desiredStates.settings(candidate);
            consul.prepare(candidate); // the first config that uses Consul starts it
            change.persist().run();
        } catch (java.io.IOException | RuntimeException e) {
            log.error("event=change_rejected cause={} reason=\"{}\" running_config=kept", change.cause(),
                    e.getMessage());
            return ConfigChange.Outcome.failed(e.getMessage());
        }
        localConfig = local;
        fileConfig = candidate;
        config = consul.apply(candidate);
        settings = candidateSettings;
        mergeApplied(merge, change.cause());
        admin.publish(localConfig, config);
        health.apply(config, healthBook, false, clock.instant());
        reconcile(reconciler, change.cause());
        return reconcileFailed ? ConfigChange.Outcome.notProgrammed("see event=reconcile_failed in the log")
                : ConfigChange.Outcome.APPLIED;
    }

    /** Decides every VIP's backends from health and slow start, and makes the maps match. */
    private void reconcile(Reconciler reconciler, String cause) {
        Instant now = clock.instant();
        logDrain(drains.observe(config.vips(), healthBook, now));
        Map<VipKey, Steering.Decision> decisions = new HashMap<>();
        for (VipConfig vip : config.vips()) {
            VipKey key = vip.key();
            decisions.put(key, steering.decide(vip, key, healthBook, drains, now));
        }
        steering.retainOnly(decisions.keySet());
        DesiredState desired = desiredStates.build(config, settings, (vip, key) -> decisions.get(key).backends());
        Set<VipKey> down = new HashSet<>();
        decisions.forEach((key, d) -> {
            if (d.allDown()) {
                down.add(key);
            }
        });
        boolean anyRamping = decisions.values().stream().anyMatch(Steering.Decision::ramping)
                || drains.anyFilling();
        logAllDownChanges(down);
        allDown = Set.copyOf(down);
        Set<VipKey> withBackends = new HashSet<>();
        decisions.forEach((key, d) -> {
            if (!d.allDown() && !d.backends().isEmpty()) {
                withBackends.add(key);
            }
        });
        announceable = Set.copyOf(withBackends);
        ramping = anyRamping;
        long start = System.nanoTime();
        ReconcileReport report;
        reconciles++; // even a failed one may have written part of the change
        try {
            report = reconciler.apply(desired);
        } catch (RuntimeException e) {
            // The maps may hold part of the change; the reconciler diffs, so the retry converges.
            reconcileFailed = true;
            metrics.reconcileFailed();
            log.error("event=reconcile_failed cause={} error=\"{}\" retry=next_refresh", cause, e.getMessage());
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        reconcileFailed = false;
        applied = desired;
        fingerprints = reconciler.fingerprints();
        consul.tables(config, fingerprints);
        metrics.reconciled(cause, took);
        if (report.changedAnything() || !"slow_start".equals(cause)) {
            log.info("event=reconciled cause={} {} duration_us={}", cause, report.toLogFields(), took.toNanos() / 1_000);
        }
        consul.publish(config, applied, allDown, attached);
        announce();
        applyDos(cause);
    }

    /** The DoS rules follow every reconcile (VIP ids may have changed); a failure keeps the rules in force. */
    private void applyDos(String cause) {
        try {
            dos.apply(config.dos(), config.vips(), cause);
        } catch (RuntimeException e) {
            log.error("event=dos_apply_failed cause={} error=\"{}\" retry=next_refresh", cause, e.getMessage());
        }
    }

    private static Map<VipKey, Integer> vipIds(DataplaneMaps maps) {
        Map<VipKey, Integer> ids = new HashMap<>();
        maps.readVips().forEach((key, meta) -> ids.put(key, meta.vipId()));
        return ids;
    }

    /** One event line and one counted transition per drain-state change. */
    private void logDrain(List<DrainTransition> transitions) {
        for (DrainTransition t : transitions) {
            VipKey key = t.backend().vip();
            String ended = t.drainedFor() == null ? "" : " drained_after_s=" + t.drainedFor().toSeconds()
                    + t.flowEntries().stream().mapToObj(n -> " flow_cache_entries=" + n).findFirst().orElse("");
            log.info("event=drain_state vip={}:{}/{} backend={} from={} to={} reason={}{}",
                    AddressText.of(key.address()), key.port(), lower(key.protocol()),
                    AddressText.of(t.backend().address()), t.fromLabel(), t.toLabel(), t.reason(), ended);
            metrics.drainTransition(vipName(key), AddressText.of(t.backend().address()), t.toLabel(), t.reason());
        }
    }

    private String vipName(VipKey key) {
        return config.vips().stream().filter(v -> v.key().equals(key)).map(VipConfig::name).findFirst().orElse("?");
    }

    /** One log line when a VIP loses its last healthy backend, one when it gets one back. */
    private void logAllDownChanges(Set<VipKey> down) {
        for (VipConfig vip : config.vips()) {
            VipKey key = vip.key();
            String name = AddressText.of(key.address()) + ":" + key.port() + "/" + lower(key.protocol());
            if (down.contains(key) && !allDown.contains(key)) {
                log.warn("event=all_backends_down vip={} policy={}", name, lower(vip.whenAllDown()));
            } else if (!down.contains(key) && allDown.contains(key)) {
                log.info("event=backends_recovered vip={}", name);
            }
        }
    }

    /** The maps' VIP and backend ids, read again only after a reconcile. */
    private DataplaneIds ids(DataplaneMaps maps) {
        dataplaneIds.refresh(reconciles, maps::readVips, maps::readBackends);
        return dataplaneIds;
    }

    private void writeStatus(StatusBuilder status, HealthSupervisor health, AttachedDataplane dataplane) {
        try {
            DaemonStatus now = status.build(config, applied, fingerprints, allDown, healthBook, drains,
                    health.checks(), health.transport(), dataplane.maps(), ids(dataplane.maps()), clock.instant());
            now = now.withDos(dos.status())
                    .withConfigSource(shared == null ? DaemonStatus.ConfigSource.FILE : shared.status());
            metrics.publish(now);
            admin.publish(now);
            admin.publish(localConfig, config);
            StatusFile.write(config.statusFile(), now);
        } catch (RuntimeException e) {
            log.warn("event=status_write_failed file={} error=\"{}\"", config.statusFile(), e.getMessage());
        }
    }

    private static String lower(Enum<?> e) {
        return e == null ? "" : e.name().toLowerCase(Locale.ROOT);
    }

    private void installSignalHandlers() {
        if (!ReloadSignal.install(() -> events.add(new Reload()))) { // else a SIGHUP reload would vanish
            log.warn("event=signal_ignored signal=HUP reason=\"ignored by whoever started sluiced (nohup?)\""
                    + " reload=\"sluice config reload, or start sluiced with SIGHUP at its default\"");
        }
        Signal.handle(new Signal("TERM"), s -> events.add(new Stop()));
        Signal.handle(new Signal("INT"), s -> events.add(new Stop()));
    }

    /** The next event; a {@link Refresh} when the tick is due, before any event still queued. */
    private Event take(RefreshTicks ticks) {
        try {
            long wait = ticks.nanosUntilDue();
            Event event = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                ticks.taken();
                return new Refresh();
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Stop();
        }
    }
}
