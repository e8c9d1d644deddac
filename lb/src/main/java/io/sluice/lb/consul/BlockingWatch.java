package io.sluice.lb.consul;

import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of every Consul watch, on a thread of its own: a blocking query on the last
 * X-Consul-Index, and each answer whose index moved handed to the subclass.
 *
 * <p>Index handling follows Consul's "blocking queries" guidance: wait on the last X-Consul-Index;
 * if an answer's index goes backwards (agent or server restart, snapshot restore) or is not
 * positive, start over from index 0; a query that returns at once without the index moving is
 * rate-limited so a misbehaving agent cannot spin us. On any failure what was last handed on stays
 * in force (nothing is posted) and the watch retries with back-off and jitter; the first query
 * after a failure does not block, so recovery is seen (and logged) at once.
 *
 * @param <A> one answer of the watched endpoint
 */
abstract class BlockingWatch<A> implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    /** Least time between two queries whose index did not move. */
    static final Duration MIN_QUERY_GAP = Duration.ofMillis(100);

    private final String op;
    private final String subject;
    private final String kept;
    private final String agent;
    private final Backoff backoff;
    private final ConsulMetrics metrics;
    private volatile boolean running = true;
    private volatile Thread thread;
    private long startIndex;

    /**
     * @param op      the endpoint, as the logs and {@code sluice_consul_call_errors_total} name it
     * @param subject what is watched, as {@code key=value} words for the logs
     * @param kept    what stays in force while the agent fails (for the logs)
     */
    BlockingWatch(String op, String subject, String kept, ConsulClient client, Backoff backoff,
                  ConsulMetrics metrics) {
        this.op = op;
        this.subject = subject;
        this.kept = kept;
        this.agent = client.base().toString();
        this.backoff = backoff;
        this.metrics = metrics;
    }

    /** One query: the answer once the index passes {@code index} (0: at once). */
    abstract A query(long index) throws ConsulException;

    /** The answer's X-Consul-Index, or -1 when it had none. */
    abstract long indexOf(A answer);

    /** An answer whose index moved (or the first after starting over): what it says, handed on. */
    abstract void changed(A answer);

    /** Starts the thread; the first query waits on {@code fromIndex} (0: answers at once). */
    final void startFrom(String threadName, long fromIndex) {
        startIndex = Math.max(0, fromIndex);
        Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    final void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    final boolean isRunning() {
        return running;
    }

    /** For tests: whether the watch thread has ended. */
    final BooleanSupplier ended() {
        return () -> thread == null || !thread.isAlive();
    }

    @Override
    public final void run() {
        long index = startIndex;
        int failures = 0;
        while (running) {
            long started = System.nanoTime();
            A answer;
            try {
                answer = query(index);
            } catch (ConsulException e) {
                if (!running) {
                    return;
                }
                failures++;
                index = 0; // confirm the state (and the recovery) at once instead of waiting out `wait`
                Duration delay = backoff.delay(failures);
                metrics.callFailed(op);
                log.warn("event={} op={} {} agent={} error=\"{}\" failures={} retry_in_ms={} {}=kept", e.event(), op,
                        subject, agent, e.getMessage(), failures, delay.toMillis(), kept);
                sleep(delay);
                continue;
            }
            if (failures > 0) {
                log.info("event=consul_recovered op={} {} after_failures={}", op, subject, failures);
                failures = 0;
            }
            long previous = index;
            long answered = indexOf(answer);
            index = nextIndex(previous, answered);
            if (index == 0 && previous > 0) {
                log.info("event=consul_index_reset op={} {} from={} to={}", op, subject, previous, answered);
            }
            boolean moved = answered != previous || previous == 0;
            if (moved) {
                changed(answer);
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

    private void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
