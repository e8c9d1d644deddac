package io.sluice.lb.consul;

import java.util.Objects;

/**
 * One version of the fleet's shared config document (Consul KV, consul.kv): the YAML text as
 * stored, the key and the entry's ModifyIndex (which identifies the version fleet-wide).
 *
 * @param from where this copy came from: {@link #FROM_CONSUL}, or {@link #FROM_CACHE} after a
 *             restart while the agent was unreachable
 */
public record SharedDocument(String key, long modifyIndex, String text, String from) {
    public static final String FROM_CONSUL = "consul";
    public static final String FROM_CACHE = "cache";

    public SharedDocument {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(from, "from");
    }

    /** The same version with another origin. */
    SharedDocument from(String origin) {
        return new SharedDocument(key, modifyIndex, text, origin);
    }

    /** Same key, version and text, wherever it came from. */
    boolean sameVersion(SharedDocument other) {
        return other != null && key.equals(other.key) && modifyIndex == other.modifyIndex && text.equals(other.text);
    }
}
