package io.sluice.lb.consul;

import io.sluice.lb.config.ConsulConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.metrics.ConsulMetrics;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sluiced's side of Consul: registers the VIPs that ask for it (with their TTL checks) and watches
 * the services VIPs discover their backends from. The daemon calls {@link #apply} on every config
 * change and {@link #serving} after every reconcile; watches post {@link DiscoveryUpdate}s to the
 * sink, which the daemon queues for its own thread. The {@code consul:} section itself is fixed for
 * the life of the process (changing it needs a restart).
 */
public final class ConsulService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final Duration DEREGISTER_WITHIN = Duration.ofSeconds(5);

    /** What a watch is started for; any change restarts it. */
    private record WatchKey(String vip, String service, Optional<String> tag, int maxBackends, boolean v4,
                            boolean v6) {
    }

    private final ConsulConfig settings;
    private final ConsulClient client;
    private final ConsulMetrics metrics;
    private final Consumer<DiscoveryUpdate> sink;
    private final Registrar registrar;
    private final String host;
    private final String version;
    private final Map<WatchKey, ServiceWatch> watches = new HashMap<>();

    ConsulService(ConsulConfig settings, ConsulClient client, ConsulMetrics metrics, Consumer<DiscoveryUpdate> sink,
                  String host, String version) {
        this.settings = settings;
        this.client = client;
        this.metrics = metrics;
        this.sink = sink;
        this.host = host;
        this.version = version;
        this.registrar = new Registrar(client, new Backoff(settings.retryMin(), settings.retryMax()), metrics);
        registrar.start();
    }

    /** Reads the token (refusing a file others can read), resolves the agent address, starts the registrar. */
    public static ConsulService start(ConsulConfig settings, Map<String, String> env, ConsulMetrics metrics,
                                      Consumer<DiscoveryUpdate> sink, String version) throws IOException {
        URI agent = AgentAddress.resolve(settings, env);
        Optional<String> token = TokenFile.read(settings.tokenFile());
        ConsulClient client = new ConsulClient(agent, token, settings.maxResponseBytes());
        log.info("event=consul_started agent={} token={}", agent, token.isPresent() ? "from_file" : "none");
        return new ConsulService(settings, client, metrics, sink, HostName.current(), version);
    }

    public URI agent() {
        return client.base();
    }

    /** Makes registrations and watches match the config (the file's: discovered backends do not matter here). */
    public void apply(SluiceConfig config) {
        Map<String, VipRegistration> registrations = new HashMap<>();
        Map<WatchKey, VipConfig> wantedWatches = new HashMap<>();
        boolean v4 = config.encap().sourceV4().isPresent();
        boolean v6 = config.encap().sourceV6().isPresent();
        for (VipConfig vip : config.vips()) {
            vip.consul().ifPresent(r -> {
                VipRegistration reg = VipRegistration.of(vip, r, settings.ttl(), settings.deregisterAfter(), host,
                        version);
                registrations.put(reg.serviceId(), reg);
            });
            vip.discovery().ifPresent(d -> wantedWatches.put(key(vip.name(), d, v4, v6), vip));
        }
        registrar.want(registrations);
        for (Iterator<Map.Entry<WatchKey, ServiceWatch>> it = watches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<WatchKey, ServiceWatch> e = it.next();
            if (!wantedWatches.containsKey(e.getKey())) {
                e.getValue().stop();
                it.remove();
                log.info("event=consul_watch_stopped vip={} service={}", e.getKey().vip(), e.getKey().service());
            }
        }
        for (Map.Entry<WatchKey, VipConfig> e : wantedWatches.entrySet()) {
            if (watches.containsKey(e.getKey())) {
                continue;
            }
            ConsulDiscovery d = e.getValue().discovery().orElseThrow();
            ServiceWatch watch = new ServiceWatch(e.getKey().vip(), d, client, settings.blockingWait(),
                    new Backoff(settings.retryMin(), settings.retryMax()), v4, v6, metrics, sink);
            watches.put(e.getKey(), watch);
            watch.start();
            log.info("event=consul_watch_started vip={} service={} tag={}", e.getKey().vip(), d.service(),
                    d.tag().orElse(""));
        }
    }

    /** Each registered VIP's TTL verdict, by VIP name; sent at once when it changes. */
    public void serving(Map<String, Serving> verdicts) {
        registrar.serving(verdicts);
    }

    /** Each VIP's table fingerprint, by VIP name: a changed one is registered again with the new meta. */
    public void fingerprints(Map<String, String> byVip) {
        registrar.fingerprints(byVip);
    }

    /** Stops the watches and deregisters every VIP (clean shutdown). */
    @Override
    public void close() {
        watches.values().forEach(ServiceWatch::stop);
        watches.clear();
        registrar.stopAndDeregister(DEREGISTER_WITHIN);
    }

    private static WatchKey key(String vip, ConsulDiscovery d, boolean v4, boolean v6) {
        return new WatchKey(vip, d.service(), d.tag(), d.maxBackends(), v4, v6);
    }
}
