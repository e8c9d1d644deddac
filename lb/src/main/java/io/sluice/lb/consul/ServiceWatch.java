package io.sluice.lb.consul;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Consul service for one VIP with blocking queries, on its own thread, and hands every
 * change of the backend set to the daemon. The index rules are every watch's ({@link BlockingWatch});
 * on any failure the last known backends stay in force.
 */
final class ServiceWatch extends BlockingWatch<HealthAnswer> {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private final String vip;
    private final ConsulDiscovery discovery;
    private final ConsulClient client;
    private final Duration wait;
    private final boolean allowV4;
    private final boolean allowV6;
    private final ConsulMetrics metrics;
    private final Consumer<DiscoveryUpdate> sink;
    private List<BackendConfig> posted;
    private boolean postedAllFailing;

    ServiceWatch(String vip, ConsulDiscovery discovery, ConsulClient client, Duration wait, Backoff backoff,
                 boolean allowV4, boolean allowV6, ConsulMetrics metrics, Consumer<DiscoveryUpdate> sink) {
        super("health", "vip=" + vip + " service=" + discovery.service(), "backends", client, backoff, metrics);
        this.vip = vip;
        this.discovery = discovery;
        this.client = client;
        this.wait = wait;
        this.allowV4 = allowV4;
        this.allowV6 = allowV6;
        this.metrics = metrics;
        this.sink = sink;
    }

    void start() {
        startFrom("sluiced-consul-" + vip, 0);
    }

    @Override
    HealthAnswer query(long index) throws ConsulException {
        return client.healthService(discovery.service(), discovery.tag(), index, wait);
    }

    @Override
    long indexOf(HealthAnswer answer) {
        return answer.index();
    }

    @Override
    void changed(HealthAnswer answer) {
        HealthEntries.Result result = apply(answer);
        if (result == null) {
            return;
        }
        DiscoveryUpdate update = new DiscoveryUpdate(vip, discovery, result.backends(), result.failing(),
                answer.index());
        if (!result.backends().equals(posted) || update.allFailing() != postedAllFailing) {
            posted = result.backends();
            postedAllFailing = update.allFailing();
            sink.accept(update);
        }
    }

    /** The accepted backends, or null when the whole answer is refused (the last known set stays). */
    private HealthEntries.Result apply(HealthAnswer answer) {
        HealthEntries.Result result;
        try {
            result = HealthEntries.parse(answer.body(), discovery, allowV4, allowV6);
        } catch (HealthEntries.MalformedAnswer e) {
            metrics.answerRefused(vip);
            log.warn("event=consul_answer_refused vip={} service={} reason=\"{}\" backends=kept", vip,
                    discovery.service(), e.getMessage());
            return null;
        }
        for (HealthEntries.Rejection r : result.rejections()) {
            metrics.entryRejected(vip);
            log.warn("event=consul_entry_rejected vip={} service={} entry={} instance=\"{}\" reason=\"{}\"", vip,
                    discovery.service(), r.entry(), r.instance(), r.reason());
        }
        return result;
    }
}
