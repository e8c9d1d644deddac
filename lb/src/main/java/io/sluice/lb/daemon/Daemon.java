package io.sluice.lb.daemon;

import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.net.Bpffs;
import io.sluice.lb.net.NetworkInterfaces;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.ReconcileReport;
import io.sluice.lb.reconcile.Reconciler;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The running daemon: attach or adopt, reconcile, then serve reloads until told to stop.
 *
 * <p>Threads: every map write happens on the thread that calls {@link #run()}. Signal handlers only
 * post a {@link Command} to the queue, so a reload never races a reconcile.
 */
final class Daemon {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private enum Command { RELOAD, STOP }

    private final Path configFile;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();
    private SluiceConfig config;

    Daemon(Path configFile, SluiceConfig config) {
        this.configFile = configFile;
        this.config = config;
    }

    int run() {
        Bpffs.ensureMounted(Bpffs.DEFAULT_MOUNT);
        int ifindex = NetworkInterfaces.ifindex(config.interfaceName());
        DesiredStateBuilder desiredStates = new DesiredStateBuilder();
        DesiredState desired = desiredStates.build(config);

        try (AttachedDataplane dataplane = AttachedDataplane.attachOrAdopt(config.interfaceName(), ifindex,
                config.pinDir(), config.xdpMode().toBpf(), config.flowTableSize())) {
            Reconciler reconciler = new Reconciler(dataplane.maps());
            reconcile(reconciler, desired, "startup");
            log.info("event=ready interface={} adopted={} vips={} version={}", config.interfaceName(),
                    dataplane.adopted(), config.vips().size(), Version.current());
            systemd.ready();

            installSignalHandlers();
            while (true) {
                Command command = take();
                if (command == Command.STOP) {
                    break;
                }
                systemd.reloading();
                reload(reconciler, desiredStates);
                systemd.reloaded();
            }
        }
        log.info("event=stopped data_plane=left_running pin_dir={}", config.pinDir());
        return Sluiced.EXIT_OK;
    }

    /** Validates the whole new config first: an invalid one changes nothing that is running. */
    private void reload(Reconciler reconciler, DesiredStateBuilder desiredStates) {
        SluiceConfig candidate;
        DesiredState desired;
        try {
            candidate = ConfigLoader.load(configFile);
            desired = desiredStates.build(candidate);
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
        reconcile(reconciler, desired, "reload");
        config = candidate;
    }

    private static void reconcile(Reconciler reconciler, DesiredState desired, String cause) {
        long start = System.nanoTime();
        ReconcileReport report = reconciler.apply(desired);
        long micros = (System.nanoTime() - start) / 1_000;
        log.info("event=reconciled cause={} {} duration_us={}", cause, report.toLogFields(), micros);
    }

    private void installSignalHandlers() {
        Signal.handle(new Signal("HUP"), s -> commands.add(Command.RELOAD));
        Signal.handle(new Signal("TERM"), s -> commands.add(Command.STOP));
        Signal.handle(new Signal("INT"), s -> commands.add(Command.STOP));
    }

    private Command take() {
        try {
            return commands.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Command.STOP;
        }
    }
}
