package io.sluice.lb.consul;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Consul service for one VIP with blocking queries, on its own thread, and hands every
 * change of the backend set to the daemon.
 *
 * <p>Index handling follows Consul's "blocking queries" guidance: wait on the last X-Consul-Index;
 * if an answer's index goes backwards (agent or server restart, snapshot restore) or is not
 * positive, start over from index 0; a query that returns at once without the index moving is
 * rate-limited so a misbehaving agent cannot spin us. On any failure the last known backends stay
 * in force (nothing is posted) and the watch retries with back-off and jitter; the first query
 * after a failure does not block, so recovery is seen (and logged) at once.
 */
final class ServiceWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    /** Least time between two queries whose index did not move. */
    static final Duration MIN_QUERY_GAP = Duration.ofMillis(100);

    private final String vip;
    private final ConsulDiscovery discovery;
    private final ConsulClient client;
    private final Duration wait;
    private final Backoff backoff;
    private final boolean allowV4;
    private final boolean allowV6;
    private final ConsulMetrics metrics;
    private final Consumer<DiscoveryUpdate> sink;
    private volatile boolean running = true;
    private volatile Thread thread;

    ServiceWatch(String vip, ConsulDiscovery discovery, ConsulClient client, Duration wait, Backoff backoff,
                 boolean allowV4, boolean allowV6, ConsulMetrics metrics, Consumer<DiscoveryUpdate> sink) {
        this.vip = vip;
        this.discovery = discovery;
        this.client = client;
        this.wait = wait;
        this.backoff = backoff;
        this.allowV4 = allowV4;
        this.allowV6 = allowV6;
        this.metrics = metrics;
        this.sink = sink;
    }

    void start() {
        Thread t = new Thread(this, "sluiced-consul-" + vip);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        long index = 0;
        int failures = 0;
        List<BackendConfig> posted = null;
        boolean postedAllFailing = false;
        while (running) {
            long started = System.nanoTime();
            HealthAnswer answer;
            try {
                answer = client.healthService(discovery.service(), discovery.tag(), index, wait);
            } catch (ConsulException e) {
                if (!running) {
                    return;
                }
                failures++;
                // The first query after a failure must not block: it confirms the current state (and
                // the recovery) at once instead of waiting out `wait` on an unchanged index.
                index = 0;
                Duration delay = backoff.delay(failures);
                metrics.callFailed("health");
                log.warn("event={} op=health vip={} service={} agent={} error=\"{}\" failures={} "
                        + "retry_in_ms={} backends=kept", e.event(), vip, discovery.service(), client.base(), e.getMessage(),
                        failures, delay.toMillis());
                sleep(delay);
                continue;
            }
            if (failures > 0) {
                log.info("event=consul_recovered op=health vip={} service={} after_failures={}", vip,
                        discovery.service(), failures);
                failures = 0;
            }
            long previous = index;
            index = nextIndex(previous, answer.index());
            if (index == 0 && previous > 0) {
                log.info("event=consul_index_reset vip={} service={} from={} to={}", vip, discovery.service(),
                        previous, answer.index());
            }
            boolean moved = answer.index() != previous || previous == 0;
            if (moved) {
                HealthEntries.Result result = apply(answer);
                if (result != null) {
                    DiscoveryUpdate update = new DiscoveryUpdate(vip, discovery, result.backends(), result.failing(),
                            answer.index());
                    if (!result.backends().equals(posted) || update.allFailing() != postedAllFailing) {
                        posted = result.backends();
                        postedAllFailing = update.allFailing();
                        sink.accept(update);
                    }
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if ((!moved || index == 0) && took.compareTo(MIN_QUERY_GAP) < 0) {
                sleep(MIN_QUERY_GAP.minus(took));
            }
        }
    }

    /** Consul's rule: wait on the answer's index, but restart from 0 if it went backwards or is not positive. */
    static long nextIndex(long previous, long answered) {
        if (answered <= 0 || answered < previous) {
            return 0;
        }
        return answered;
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

    private void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    boolean isRunning() {
        return running;
    }

    /** For tests: whether the watch thread has ended. */
    BooleanSupplier ended() {
        return () -> thread == null || !thread.isAlive();
    }
}
