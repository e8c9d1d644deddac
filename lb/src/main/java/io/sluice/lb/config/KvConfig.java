package io.sluice.lb.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code consul.kv}: the fleet's shared desired state (VIPs, backends, DoS rules) comes from one YAML
 * document in Consul KV instead of the local file (docs/consul.md, "Shared config (KV)").
 *
 * @param prefix           the fleet's KV prefix; the document is at {@code <prefix>/config}
 * @param cacheFile        the last good document, so a restart while Consul is unreachable still serves it
 * @param maxDocumentBytes a larger document is rejected whole (the last good one stays)
 */
public record KvConfig(String prefix, Path cacheFile, int maxDocumentBytes) {
    /** The key under the prefix that holds the document. */
    public static final String DOCUMENT_KEY = "config";
    /** Beside the discovery cache, under the unit's StateDirectory. */
    public static final Path DEFAULT_CACHE_FILE = Path.of("/var/lib/sluice/consul-kv-config.json");
    /** Consul's own default limit on a KV value (kv_max_value_size). */
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 512 * 1024;

    public KvConfig {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(cacheFile, "cacheFile");
    }

    /** The key of the shared document: {@code <prefix>/config}. */
    public String key() {
        return prefix + "/" + DOCUMENT_KEY;
    }
}
