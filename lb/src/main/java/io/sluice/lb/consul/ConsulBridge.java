package io.sluice.lb.consul;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.metrics.ConsulMetrics;
import io.sluice.lb.reconcile.DesiredState;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the daemon does about Consul, behind a few calls on the daemon's thread: start the
 * agent client the first time a config needs it, keep registrations and watches in step with the
 * file's config, lay discovered backends into the config the daemon runs on, remember them across
 * restarts, and hand the TTL verdicts to the registrar.
 */
public final class ConsulBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    /** What a discovery update asks of the daemon. */
    public enum Outcome {
        /** stale or no change: nothing to do */
        NOTHING,
        /** the VIP's instances all fail and fail_open keeps its backends: only the TTL verdict changes */
        VERDICT_ONLY,
        /** the backend set changed: apply health watches and reconcile */
        RECONCILE
    }

    private final ConsulMetrics metrics;
    private final Consumer<DiscoveryUpdate> sink;
    private final Map<String, String> env;
    private final String version;
    private final DiscoveredBackends discovered = new DiscoveredBackends();
    private ConsulService service;

    public ConsulBridge(ConsulMetrics metrics, Consumer<DiscoveryUpdate> sink, Map<String, String> env,
                        String version) {
        this.metrics = metrics;
        this.sink = sink;
        this.env = env;
        this.version = version;
    }

    /**
     * Starts the agent client the first time a config uses Consul (reads the token, restores the
     * last discovered sets). IllegalStateException, with the reason, when it cannot start.
     */
    public void prepare(SluiceConfig file) {
        if (service != null || !file.usesConsul()) {
            return;
        }
        try {
            service = ConsulService.start(file.consul(), env, metrics, sink, version);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("consul: " + e.getMessage(), e);
        }
        DiscoveryCache cache = new DiscoveryCache(file.consul().cacheFile());
        try {
            for (DiscoveryUpdate u : cache.read(file)) {
                discovered.accept(u, file);
                log.info("event=consul_backends_restored vip={} service={} backends={} file={}", u.vip(),
                        u.discovery().service(), u.backends().size(), cache.file());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("event=consul_cache_unreadable file={} error=\"{}\"", cache.file(), e.getMessage());
        }
    }

    /** Registrations and watches follow the file's config; returns the config to run on. */
    public SluiceConfig apply(SluiceConfig file) {
        if (service != null) {
            service.apply(file);
        }
        return discovered.merge(file);
    }

    /** Takes a watch's update (on the daemon's thread); see {@link Outcome}. */
    public Outcome accept(DiscoveryUpdate update, SluiceConfig file) {
        if (!discovered.accept(update, file)) {
            return Outcome.NOTHING;
        }
        if (discovered.allFailing().contains(update.vip())) {
            log.warn("event=consul_all_instances_failing vip={} service={} failing={} policy=fail_open backends=kept",
                    update.vip(), update.discovery().service(), update.failing());
            return Outcome.VERDICT_ONLY;
        }
        long draining = update.backends().stream().filter(BackendConfig::drain).count();
        log.info("event=consul_backends_changed vip={} service={} backends={} draining={} index={}", update.vip(),
                update.discovery().service(), update.backends().size(), draining, update.index());
        metrics.discoveryApplied(update.vip());
        DiscoveryCache cache = new DiscoveryCache(file.consul().cacheFile());
        try {
            cache.write(discovered.latest());
        } catch (IOException | RuntimeException e) {
            log.warn("event=consul_cache_write_failed file={} error=\"{}\"", cache.file(), e.getMessage());
        }
        return Outcome.RECONCILE;
    }

    /** The config to run on after {@link #accept}: the file's with the discovered backends. */
    public SluiceConfig merge(SluiceConfig file) {
        return discovered.merge(file);
    }

    /** Hands each registered VIP's TTL verdict to the registrar (sent only when it changes or is due). */
    public void publish(SluiceConfig running, DesiredState applied, Set<VipKey> allDown, boolean attached) {
        if (service != null) {
            service.serving(Verdicts.of(running, applied, allDown, discovered.allFailing(), attached,
                    running.interfaceName()));
        }
    }

    /** Each VIP's table fingerprint after a reconcile, for the {@code table_fingerprint} meta of its registration. */
    public void tables(SluiceConfig running, Map<VipKey, String> fingerprints) {
        if (service == null) {
            return;
        }
        Map<String, String> byVip = new HashMap<>();
        for (VipConfig vip : running.vips()) {
            String fingerprint = fingerprints.get(vip.key());
            if (vip.consul().isPresent() && fingerprint != null) {
                byVip.put(vip.name(), fingerprint);
            }
        }
        service.fingerprints(byVip);
    }

    /** Stops the watches and deregisters every VIP (a clean stop). */
    @Override
    public void close() {
        if (service != null) {
            service.close();
            service = null;
        }
    }
}
