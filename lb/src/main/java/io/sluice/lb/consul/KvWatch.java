package io.sluice.lb.consul;

import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the fleet's shared document (one KV key) with blocking queries, on its own thread, and
 * hands every new version (or refusal) to the daemon. The index rules are the discovery watch's
 * ({@link ServiceWatch}): wait on the last X-Consul-Index, start over from 0 when it goes backwards
 * or is not positive, rate-limit answers that come back at once without the index moving, and
 * after a failure retry with back-off and jitter, the next query not blocking. Nothing is posted
 * while the agent is unreachable: the last good document stays in force.
 */
final class KvWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private final String key;
    private final ConsulClient client;
    private final Duration wait;
    private final Backoff backoff;
    private final int maxDocumentBytes;
    private final int answerCap;
    private final ConsulMetrics metrics;
    private final Consumer<KvUpdate> sink;
    private volatile boolean running = true;
    private volatile Thread thread;
    private long startIndex;
    private KvUpdate lastPosted;

    KvWatch(String key, ConsulClient client, Duration wait, Backoff backoff, int maxDocumentBytes, int answerCap,
            ConsulMetrics metrics, Consumer<KvUpdate> sink) {
        this.key = key;
        this.client = client;
        this.wait = wait;
        this.backoff = backoff;
        this.maxDocumentBytes = maxDocumentBytes;
        this.answerCap = answerCap;
        this.metrics = metrics;
        this.sink = sink;
    }

    /** One read without blocking (startup): the current document or its refusal. */
    KvUpdate fetch() throws ConsulException {
        return KvDocuments.parse(client.kvGet(key, 0, wait, answerCap), key, maxDocumentBytes);
    }

    /** Starts watching after {@code seen} (what startup already took in, not posted again); null = from scratch. */
    void start(KvUpdate seen) {
        if (seen != null) {
            startIndex = Math.max(0, seen.index());
            lastPosted = seen;
        }
        Thread t = new Thread(this, "sluiced-consul-kv");
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
        long index = startIndex;
        int failures = 0;
        while (running) {
            long started = System.nanoTime();
            KvAnswer answer;
            try {
                answer = client.kvGet(key, index, wait, answerCap);
            } catch (ConsulException e) {
                if (!running) {
                    return;
                }
                failures++;
                index = 0; // confirm the state (and the recovery) at once, without blocking
                Duration delay = backoff.delay(failures);
                metrics.callFailed("kv");
                log.warn("event={} op=kv key={} agent={} error=\"{}\" failures={} retry_in_ms={} config=kept",
                        e.event(), key, client.base(), e.getMessage(), failures, delay.toMillis());
                sleep(delay);
                continue;
            }
            if (failures > 0) {
                log.info("event=consul_recovered op=kv key={} after_failures={}", key, failures);
                failures = 0;
            }
            long previous = index;
            index = ServiceWatch.nextIndex(previous, answer.index());
            if (index == 0 && previous > 0) {
                log.info("event=consul_index_reset op=kv key={} from={} to={}", key, previous, answer.index());
            }
            boolean moved = answer.index() != previous || previous == 0;
            if (moved) {
                KvUpdate update = KvDocuments.parse(answer, key, maxDocumentBytes);
                if (!same(update, lastPosted)) {
                    lastPosted = update;
                    sink.accept(update);
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if ((!moved || index == 0) && took.compareTo(ServiceWatch.MIN_QUERY_GAP) < 0) {
                sleep(ServiceWatch.MIN_QUERY_GAP.minus(took));
            }
        }
    }

    /** The same version of the document, or the same refusal of the same version: not posted again. */
    static boolean same(KvUpdate a, KvUpdate b) {
        if (a instanceof KvUpdate.Document x && b instanceof KvUpdate.Document y) {
            return x.document().sameVersion(y.document());
        }
        if (a instanceof KvUpdate.Refused x && b instanceof KvUpdate.Refused y) {
            return x.kind().equals(y.kind()) && x.modifyIndex() == y.modifyIndex() && x.reason().equals(y.reason());
        }
        return false;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
