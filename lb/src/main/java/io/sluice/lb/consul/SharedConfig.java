package io.sluice.lb.consul;

import io.sluice.lb.config.ConfigError;
import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.ConsulConfig;
import io.sluice.lb.config.KvConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.metrics.ConsulKvMetrics;
import io.sluice.lb.metrics.ConsulMetrics;
import io.sluice.lb.status.DaemonStatus;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's shared desired state (consul.kv): VIPs, backends and DoS rules from one YAML document
 * at {@code <prefix>/config}, laid over the host's local file. Used on the daemon's thread only;
 * the watch posts {@link KvUpdate}s that the daemon hands back to {@link #accept}.
 *
 * <p>A document is taken whole or not at all: any refusal (missing key, too large, not UTF-8, a
 * malformed answer, a YAML or schema error, checked against this host's settings) is logged with
 * its reason, counted, and the last good document stays in force. The last good one is kept on
 * disk, so a restart while Consul is unreachable serves it.
 */
public final class SharedConfig implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("sluiced");
    private static final int REASON_LIMIT = 600;

    /** What a document asks of the daemon. */
    public enum Outcome {
        /** valid: the returned config is in force now (the daemon reconciles if it differs) */
        APPLY,
        /** refused whole: the last good document stays */
        REJECTED
    }

    public record Result(Outcome outcome, SluiceConfig config) {
    }

    /**
     * A local file with a document laid in ({@link #merge}): {@code document} is the one used, null for a
     * file without consul.kv. The daemon hands it back to {@link #applied} once the merge is running.
     */
    public record Merge(SluiceConfig config, SharedDocument document) {
        public static Merge fileOnly(SluiceConfig local) {
            return new Merge(local, null);
        }
    }

    private final KvConfig kv;
    private final KvWatch watch;
    private final KvCache cache;
    private final ConsulKvMetrics kvMetrics;
    private final ConsulMetrics metrics;
    private final Clock clock;
    private SharedDocument inForce;
    /**
     * The newest version when the schema checks refused it against this host's file: a change of the
     * file (encap.source_v6 for IPv6 backends, say) can make it valid, so the next reload tries it
     * first. Null when the newest version is in force or was refused for anything the file cannot cure.
     */
    private SharedDocument pending;
    private String lastRejected;
    private Instant lastRejectedAt;

    SharedConfig(KvConfig kv, KvWatch watch, ConsulMetrics metrics, ConsulKvMetrics kvMetrics, Clock clock) {
        this.kv = kv;
        this.watch = watch;
        this.cache = new KvCache(kv.cacheFile());
        this.metrics = metrics;
        this.kvMetrics = kvMetrics;
        this.clock = clock;
    }

    /**
     * The shared config of a local config whose consul.kv is set: builds the agent client (token
     * from its file, as for registration and discovery). The watch starts with {@link #initial}.
     */
    public static SharedConfig create(ConsulConfig consul, Map<String, String> env, ConsulMetrics metrics,
                                      ConsulKvMetrics kvMetrics, Consumer<KvUpdate> sink) throws IOException {
        KvConfig kv = consul.kv().orElseThrow(() -> new IllegalArgumentException("consul.kv is not set"));
        URI agent = AgentAddress.resolve(consul, env);
        ConsulClient client = new ConsulClient(agent, TokenFile.read(consul.tokenFile()), consul.maxResponseBytes());
        log.info("event=consul_kv_started key={} agent={}", kv.key(), agent);
        return of(consul, client, metrics, kvMetrics, sink);
    }

    /** With a client made elsewhere (tests: a real agent's token from the environment). */
    static SharedConfig of(ConsulConfig consul, ConsulClient client, ConsulMetrics metrics, ConsulKvMetrics kvMetrics,
                           Consumer<KvUpdate> sink) {
        KvConfig kv = consul.kv().orElseThrow(() -> new IllegalArgumentException("consul.kv is not set"));
        KvWatch watch = new KvWatch(kv.key(), client, consul.blockingWait(),
                new Backoff(consul.retryMin(), consul.retryMax()), kv.maxDocumentBytes(),
                KvDocuments.answerCap(kv.maxDocumentBytes(), consul.maxResponseBytes()), metrics, sink);
        return new SharedConfig(kv, watch, metrics, kvMetrics, Clock.systemUTC());
    }

    public String key() {
        return kv.key();
    }

    /**
     * The config to start on: the document in Consul if it is valid, else the cached last good one,
     * then the watch starts. SharedConfigUnavailable, with every reason, when there is neither.
     */
    public SluiceConfig initial(SluiceConfig local) {
        KvUpdate fetched = null;
        String consulProblem;
        try {
            fetched = watch.fetch();
            Result r = accept(fetched, local);
            if (r.outcome() == Outcome.APPLY) {
                watch.start(fetched);
                return r.config();
            }
            consulProblem = "the document in Consul was rejected: " + lastRejected;
        } catch (ConsulException e) {
            metrics.callFailed("kv");
            consulProblem = "Consul is unreachable (" + e.getMessage() + ")";
            log.warn("event={} op=kv key={} error=\"{}\" startup=trying_cache", e.event(), kv.key(),
                    clean(e.getMessage()));
        }
        String cacheProblem;
        try {
            Optional<KvUpdate> cached = cache.read(kv.key(), kv.maxDocumentBytes());
            if (cached.isPresent()) {
                Result r = accept(cached.get(), local);
                if (r.outcome() == Outcome.APPLY) {
                    log.warn("event=consul_kv_restored key={} modify_index={} file={} reason=\"{}\"", kv.key(),
                            inForce.modifyIndex(), cache.file(), clean(consulProblem));
                    watch.start(fetched);
                    return r.config();
                }
                cacheProblem = "the cached copy was rejected: " + lastRejected;
            } else {
                cacheProblem = "no cached copy for this key at " + cache.file();
            }
        } catch (IOException | RuntimeException e) {
            cacheProblem = "the cache " + cache.file() + " is unreadable: " + e.getMessage();
        }
        throw new SharedConfigUnavailable("no shared config to start on: " + consulProblem + "; " + cacheProblem
                + ". Put a valid document at Consul KV key " + kv.key() + " (docs/consul.md)");
    }

    /** Takes a document (or its refusal) from the watch, on the daemon's thread. */
    public Result accept(KvUpdate update, SluiceConfig local) {
        boolean fromCache = update instanceof KvUpdate.Document d
                && !d.document().from().equals(SharedDocument.FROM_CONSUL);
        if (!fromCache) {
            pending = null; // an answer from Consul is the key's newest version: it replaces any pending one
        }
        if (update instanceof KvUpdate.Refused r) {
            return reject(r.kind(), r.reason(), r.modifyIndex());
        }
        SharedDocument document = ((KvUpdate.Document) update).document();
        SluiceConfig merged;
        try {
            merged = ConfigLoader.withShared(local, document.text());
        } catch (ConfigException e) {
            boolean yaml = e.errors().stream().allMatch(x -> x.field().equals(ConfigLoader.YAML_FIELD));
            if (!yaml) {
                pending = document;
            }
            return reject(yaml ? "yaml" : "schema", e.errors().stream().map(ConfigError::toString)
                    .collect(Collectors.joining("; ")), document.modifyIndex());
        }
        takeInForce(document, merged, "consul_kv");
        return new Result(Outcome.APPLY, merged);
    }

    /**
     * A changed local file (reload, admin API) with a document laid in, validated whole: the pending
     * one (the newest version, refused against the file as it was) if the file now makes it valid,
     * else the one in force.
     */
    public Merge merge(SluiceConfig local) throws ConfigException {
        if (pending != null) {
            try {
                return new Merge(ConfigLoader.withShared(local, pending.text()), pending);
            } catch (ConfigException stillRefused) {
                // the change did not cure it: the document in force, as before the change
            }
        }
        if (inForce == null) {
            throw new ConfigException(java.util.List.of(new ConfigError("consul.kv",
                    "no shared document in force yet")));
        }
        return new Merge(ConfigLoader.withShared(local, inForce.text()), inForce);
    }

    /**
     * The daemon runs on a merge now: a pending document it used is the one in force from here on.
     *
     * @param cause what changed the file (reload, or the admin API change's cause), for the log line
     */
    public void applied(Merge merge, String cause) {
        if (merge.document() != null && merge.document() == pending) {
            pending = null;
            takeInForce(merge.document(), merge.config(), cause);
        }
    }

    /** Counts, logs (a new version) and caches (a new version from Consul) the document now in force. */
    private void takeInForce(SharedDocument document, SluiceConfig merged, String cause) {
        boolean newVersion = !document.sameVersion(inForce);
        inForce = document;
        lastRejected = null;
        lastRejectedAt = null;
        kvMetrics.applied(document.modifyIndex());
        if (newVersion) {
            log.info("event=consul_kv_applied key={} modify_index={} from={} vips={} cause={}", kv.key(),
                    document.modifyIndex(), document.from(), merged.vips().size(), cause);
        }
        if (document.from().equals(SharedDocument.FROM_CONSUL) && newVersion) {
            try {
                cache.write(document);
            } catch (IOException | RuntimeException e) {
                log.warn("event=consul_kv_cache_write_failed file={} error=\"{}\"", cache.file(),
                        clean(e.getMessage()));
            }
        }
    }

    /** The document in force (empty before the first). */
    public Optional<SharedDocument> inForce() {
        return Optional.ofNullable(inForce);
    }

    public DaemonStatus.ConfigSource status() {
        return new DaemonStatus.ConfigSource("consul_kv", kv.key(), inForce == null ? 0 : inForce.modifyIndex(),
                inForce == null ? null : inForce.from(), lastRejected,
                lastRejectedAt == null ? null : lastRejectedAt.toString());
    }

    @Override
    public void close() {
        watch.stop();
    }

    private Result reject(String kind, String reason, long modifyIndex) {
        kvMetrics.rejected(kind);
        lastRejected = kind + ": " + clean(reason);
        lastRejectedAt = clock.instant();
        log.warn("event=consul_kv_rejected key={} modify_index={} kind={} reason=\"{}\" config=kept in_force={}",
                kv.key(), modifyIndex, kind, clean(reason), inForce == null ? "none" : inForce.modifyIndex());
        return new Result(Outcome.REJECTED, null);
    }

    /** Quotes and control characters out, and not too long, for a log line. */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        String out = text.replace('"', '\'').replaceAll("\\p{Cntrl}", " ");
        return out.length() > REASON_LIMIT ? out.substring(0, REASON_LIMIT) + "..." : out;
    }
}
