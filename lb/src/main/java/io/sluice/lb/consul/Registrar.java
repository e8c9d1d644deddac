package io.sluice.lb.consul;

import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's registrations and TTL checks in step with what the daemon says, on its own
 * thread (an HTTP call never blocks the daemon's thread).
 *
 * <p>Registers each wanted VIP, deregisters those no longer wanted, and sets each check passing or
 * critical: at once when the verdict changes, else every ttl / 3 so the check never expires while
 * sluiced runs. A failed TTL update forgets that the VIP is registered, so the next round registers
 * it again (an agent that restarted without its state). Failures back off with jitter.
 */
final class Registrar implements Runnable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final int REFRESHES_PER_TTL = 3;
    private static final int HTTP_NOT_FOUND = 404;
    private static final Serving UNDECIDED = Serving.failing("sluiced is starting: no reconcile yet");

    private final ConsulClient client;
    private final Backoff backoff;
    private final ConsulMetrics metrics;
    private final Object lock = new Object();
    /** Guarded by lock: what the daemon wants. */
    private Map<String, VipRegistration> wanted = Map.of();
    private Map<String, Serving> serving = Map.of();
    private Map<String, String> fingerprints = Map.of();
    private boolean changed;
    private boolean running = true;
    /** Owned by the registrar's thread. */
    private final Map<String, VipRegistration> registered = new HashMap<>();
    /** Registered once, but a TTL update failed: register again (the agent may have lost it). */
    private final Set<String> stale = new HashSet<>();
    private final Map<String, Serving> lastSent = new HashMap<>();
    private final Map<String, Long> lastSentAt = new HashMap<>();
    private Thread thread;

    Registrar(ConsulClient client, Backoff backoff, ConsulMetrics metrics) {
        this.client = client;
        this.backoff = backoff;
        this.metrics = metrics;
    }

    void start() {
        thread = new Thread(this, "sluiced-consul-registrar");
        thread.setDaemon(true);
        thread.start();
    }

    /** The VIPs to register, by service ID. */
    void want(Map<String, VipRegistration> registrations) {
        synchronized (lock) {
            wanted = Map.copyOf(registrations);
            changed = true;
            lock.notifyAll();
        }
    }

    /** Each VIP's verdict, by VIP name. */
    void serving(Map<String, Serving> verdicts) {
        synchronized (lock) {
            if (!verdicts.equals(serving)) {
                serving = Map.copyOf(verdicts);
                changed = true;
                lock.notifyAll();
            }
        }
    }

    /**
     * Each VIP's table fingerprint, by VIP name: a VIP whose fingerprint changed is registered again
     * (the agent API changes a service's meta only by registering it anew).
     */
    void fingerprints(Map<String, String> byVip) {
        synchronized (lock) {
            if (!byVip.equals(fingerprints)) {
                fingerprints = Map.copyOf(byVip);
                changed = true;
                lock.notifyAll();
            }
        }
    }

    /** Stops the thread, then deregisters every VIP it registered (clean shutdown). */
    void stopAndDeregister(Duration within) {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(within.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                thread.interrupt(); // a call hung on a dead agent: give up on it
                try {
                    thread.join(within.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (VipRegistration r : Set.copyOf(registered.values())) {
            try {
                client.deregister(r.serviceId());
                log.info("event=consul_deregistered vip={} service={} id={}", r.vip(), r.registration().service(),
                        r.serviceId());
            } catch (ConsulException e) {
                if (e.status() == HTTP_NOT_FOUND) {
                    continue; // already gone from the agent
                }
                metrics.callFailed("deregister");
                log.warn("event=consul_deregister_failed vip={} id={} error=\"{}\" (the TTL check expires and "
                        + "Consul removes it after deregister_critical_after)", r.vip(), r.serviceId(), e.getMessage());
                if (e.event().equals("consul_unreachable")) {
                    break; // the agent is gone: do not hold the shutdown for every other VIP
                }
            }
        }
        registered.clear();
    }

    @Override
    public void run() {
        int failures = 0;
        while (true) {
            Map<String, VipRegistration> want;
            Map<String, Serving> verdicts;
            synchronized (lock) {
                if (!running) {
                    return;
                }
                want = withFingerprints(wanted, fingerprints);
                verdicts = serving;
                changed = false;
            }
            Duration next;
            try {
                round(want, verdicts);
                failures = 0;
                next = refreshInterval(want);
            } catch (ConsulException e) {
                failures++;
                next = backoff.delay(failures);
                log.warn("event={} op=register agent={} error=\"{}\" failures={} retry_in_ms={}",
                        e.event(), client.base(), e.getMessage(), failures, next.toMillis());
            }
            synchronized (lock) {
                // After a failure wait out the back-off even if something changed; otherwise wake on change.
                long deadline = System.nanoTime() + next.toNanos();
                while (running && (failures > 0 || !changed)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    private void round(Map<String, VipRegistration> want, Map<String, Serving> verdicts) throws ConsulException {
        for (String id : new HashSet<>(registered.keySet())) {
            if (!want.containsKey(id)) {
                VipRegistration gone = registered.get(id);
                try {
                    call("deregister", () -> client.deregister(id));
                } catch (ConsulException e) {
                    if (e.status() != HTTP_NOT_FOUND) {
                        throw e;
                    }
                    // already gone from the agent: nothing left to remove
                }
                registered.remove(id);
                stale.remove(id);
                lastSent.remove(id);
                log.info("event=consul_deregistered vip={} service={} id={}", gone.vip(),
                        gone.registration().service(), id);
            }
        }
        for (VipRegistration r : want.values()) {
            if (!r.equals(registered.get(r.serviceId())) || stale.contains(r.serviceId())) {
                boolean passing = verdicts.getOrDefault(r.vip(), UNDECIDED).passing();
                call("register", () -> client.register(r.body(passing)));
                registered.put(r.serviceId(), r);
                stale.remove(r.serviceId());
                lastSent.remove(r.serviceId());
                log.info("event=consul_registered vip={} service={} id={} address={} port={} tags={} ttl={} "
                        + "table_fingerprint={}", r.vip(), r.registration().service(), r.serviceId(), r.address(),
                        r.port(), String.join(",", r.registration().tags()), VipRegistration.goDuration(r.ttl()),
                        r.tableFingerprint());
            }
        }
        long now = System.nanoTime();
        for (VipRegistration r : want.values()) {
            Serving verdict = verdicts.getOrDefault(r.vip(), UNDECIDED);
            Serving previous = lastSent.get(r.serviceId());
            long due = lastSentAt.getOrDefault(r.serviceId(), 0L) + r.ttl().toNanos() / REFRESHES_PER_TTL;
            if (verdict.equals(previous) && now - due < 0) {
                continue;
            }
            try {
                client.updateTtl(r.checkId(), verdict.passing() ? "passing" : "critical", verdict.note());
            } catch (ConsulException e) {
                stale.add(r.serviceId()); // register again next round: the agent may have lost it
                lastSent.remove(r.serviceId());
                metrics.callFailed("ttl_update");
                throw e;
            }
            lastSent.put(r.serviceId(), verdict);
            lastSentAt.put(r.serviceId(), now);
            metrics.ttlState(r.vip(), verdict.passing());
            if (!Objects.equals(previous, verdict) && (previous == null || previous.passing() != verdict.passing())) {
                log.info("event=consul_check vip={} id={} status={} note=\"{}\"", r.vip(), r.checkId(),
                        verdict.passing() ? "passing" : "critical", verdict.note());
            }
        }
    }

    private static Map<String, VipRegistration> withFingerprints(Map<String, VipRegistration> want,
                                                                 Map<String, String> fingerprints) {
        Map<String, VipRegistration> out = new HashMap<>();
        want.forEach((id, r) -> out.put(id, r.withFingerprint(fingerprints.get(r.vip()))));
        return out;
    }

    private interface Call {
        void run() throws ConsulException;
    }

    private void call(String op, Call call) throws ConsulException {
        try {
            call.run();
        } catch (ConsulException e) {
            metrics.callFailed(op);
            throw e;
        }
    }

    private static Duration refreshInterval(Map<String, VipRegistration> want) {
        return want.values().stream().map(r -> r.ttl().dividedBy(REFRESHES_PER_TTL)).min(Duration::compareTo)
                .orElse(Duration.ofSeconds(10));
    }
}
