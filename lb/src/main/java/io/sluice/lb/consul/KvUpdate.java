package io.sluice.lb.consul;

/**
 * What a read of the shared document gave, for the daemon's thread: a document to validate and
 * apply, or a refusal before any parsing (missing key, too large, not UTF-8, a malformed answer).
 */
public sealed interface KvUpdate permits KvUpdate.Document, KvUpdate.Refused {
    /** The X-Consul-Index of the answer. */
    long index();

    record Document(SharedDocument document, long index) implements KvUpdate {
    }

    /**
     * @param kind        the metric label: missing, too_large, not_utf8, malformed_answer
     * @param modifyIndex the entry's ModifyIndex when known, else 0
     */
    record Refused(String kind, String reason, long modifyIndex, long index) implements KvUpdate {
    }
}
