package io.sluice.lb.daemon;

import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.consul.SharedConfigUnavailable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sluiced command line: run the daemon, check a config, or detach the data plane. */
@Command(name = "sluiced", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = {
            "The sluice load-balancer daemon: attaches the XDP balancer to the configured interface, keeps its",
            "Maglev tables in step with the config, and leaves the data plane running when it exits."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:clean exit, or the config is valid",
            "1:the config is invalid",
            "2:bad command line",
            "3:the data plane could not be attached, adopted or programmed"})
public final class Sluiced implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_BAD_CONFIG = 1;
    static final int EXIT_DATAPLANE = 3;

    private static final Logger log = LoggerFactory.getLogger("sluiced");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/sluice/sluice.yaml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Option(names = "--check-config", paramLabel = "FILE",
            description = "Validate FILE, print every problem found, and exit (0 = valid, 1 = invalid).")
    private Path checkConfig;

    @Option(names = "--detach",
            description = "Remove the balancer from the config's interface and delete its pins, then exit."
                    + " Stopping the daemon never does this.")
    private boolean detach;

    @Option(names = "--detach-on-exit",
            description = "On a clean stop (SIGTERM/SIGINT), remove the balancer and its pins as --detach does."
                    + " Without it a stop leaves the data plane forwarding (the default: restarts and upgrades"
                    + " are hitless).")
    private boolean detachOnExit;

    @Option(names = "--shared-document", paramLabel = "YAML",
            description = "With --check-config: also validate this shared config document (what goes to Consul KV"
                    + " key <consul.kv.prefix>/config) against the checked file's host settings.")
    private Path sharedDocument;

    @Option(names = "--flush-flows",
            description = "Empty the running balancer's flow cache (every CPU), print how many flows it held, and"
                    + " exit. Established flows are then re-chosen by the Maglev tables, with second chance for"
                    + " draining backends (docs/drain.md).")
    private boolean flushFlows;

    @Override
    public Integer call() {
        if (checkConfig != null) {
            return checkConfig(checkConfig);
        }
        SluiceConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            log.error("event=config_invalid file={} errors=\"{}\"", config, e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        if (detach) {
            boolean wasAttached = AttachedDataplane.detach(cfg.pinDir());
            log.info("event=detached pin_dir={} was_attached={}", cfg.pinDir(), wasAttached);
            return EXIT_OK;
        }
        if (flushFlows) {
            return FlowFlush.run(cfg.pinDir());
        }
        try {
            return new Daemon(config, cfg, detachOnExit).run();
        } catch (SharedConfigUnavailable e) {
            log.error("event=shared_config_unavailable file={} error=\"{}\"", config, e.getMessage());
            return EXIT_BAD_CONFIG;
        } catch (RuntimeException e) {
            log.error("event=dataplane_failed error=\"{}\"", e.getMessage(), e);
            return EXIT_DATAPLANE;
        }
    }

    private int checkConfig(Path file) {
        SluiceConfig cfg;
        try {
            cfg = ConfigLoader.load(file);
        } catch (ConfigException e) {
            System.err.println(file + ": invalid");
            System.err.println(e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        if (cfg.consul().kv().isPresent() && sharedDocument == null) {
            System.out.println(file + ": OK (VIPs and DoS rules come from Consul KV key " + cfg.consul().kv().get().key()
                    + "; check a document with --shared-document)");
            return EXIT_OK;
        }
        if (sharedDocument == null) {
            System.out.println(file + ": OK (" + cfg.vips().size() + " VIPs)");
            return EXIT_OK;
        }
        try {
            if (cfg.consul().kv().isEmpty()) {
                System.err.println(file + ": consul.kv.prefix is not set, so it takes no shared document");
                return EXIT_BAD_CONFIG;
            }
            SluiceConfig merged = ConfigLoader.withShared(cfg, Files.readString(sharedDocument, StandardCharsets.UTF_8));
            System.out.println(sharedDocument + ": OK with " + file + " (" + merged.vips().size() + " VIPs)");
            return EXIT_OK;
        } catch (ConfigException e) {
            System.err.println(sharedDocument + ": invalid");
            System.err.println(e.getMessage());
            return EXIT_BAD_CONFIG;
        } catch (IOException | RuntimeException e) {
            System.err.println(sharedDocument + ": cannot read: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Sluiced()).execute(args));
    }
}
