package io.sluice.lb.consul;

import io.sluice.lb.metrics.ConsulMetrics;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Watches the fleet's shared document (one KV key) with blocking queries, on its own thread, and
 * hands every new version (or refusal) to the daemon. The index rules are every watch's
 * ({@link BlockingWatch}). Nothing is posted while the agent is unreachable: the last good
 * document stays in force.
 */
final class KvWatch extends BlockingWatch<KvAnswer> {
    private final String key;
    private final ConsulClient client;
    private final Duration wait;
    private final int maxDocumentBytes;
    private final int answerCap;
    private final Consumer<KvUpdate> sink;
    private KvUpdate lastPosted;

    KvWatch(String key, ConsulClient client, Duration wait, Backoff backoff, int maxDocumentBytes, int answerCap,
            ConsulMetrics metrics, Consumer<KvUpdate> sink) {
        super("kv", "key=" + key, "config", client, backoff, metrics);
        this.key = key;
        this.client = client;
        this.wait = wait;
        this.maxDocumentBytes = maxDocumentBytes;
        this.answerCap = answerCap;
        this.sink = sink;
    }

    /** One read without blocking (startup): the current document or its refusal. */
    KvUpdate fetch() throws ConsulException {
        return KvDocuments.parse(client.kvGet(key, 0, wait, answerCap), key, maxDocumentBytes);
    }

    /** Starts watching after {@code seen} (what startup already took in, not posted again); null = from scratch. */
    void start(KvUpdate seen) {
        lastPosted = seen;
        startFrom("sluiced-consul-kv", seen == null ? 0 : seen.index());
    }

    @Override
    KvAnswer query(long index) throws ConsulException {
        return client.kvGet(key, index, wait, answerCap);
    }

    @Override
    long indexOf(KvAnswer answer) {
        return answer.index();
    }

    @Override
    void changed(KvAnswer answer) {
        KvUpdate update = KvDocuments.parse(answer, key, maxDocumentBytes);
        if (!same(update, lastPosted)) {
            lastPosted = update;
            sink.accept(update);
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
}
