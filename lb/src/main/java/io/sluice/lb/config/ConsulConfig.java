package io.sluice.lb.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The top-level {@code consul:} section: how sluiced talks to its local Consul agent.
 *
 * @param address          the agent's HTTP address; empty = CONSUL_HTTP_ADDR, else http://127.0.0.1:8500
 * @param tokenFile        the ACL token, read from this file (never from the config itself); empty = no token
 * @param ttl              each registered VIP's TTL check; sluiced refreshes it every ttl / 3
 * @param deregisterAfter  Consul removes a VIP whose check stayed critical this long (sluiced killed)
 * @param blockingWait     the longest a blocking query on a discovered service waits for a change
 * @param retryMin         the first back-off after a failed call; doubles up to retryMax, with jitter
 * @param retryMax         the longest back-off
 * @param maxResponseBytes a larger answer from the agent is refused whole (and counted)
 * @param cacheFile        the last discovered backends, kept for a restart while the agent is unreachable
 * @param kv               the shared config in Consul KV; empty = VIPs and DoS rules come from the local file
 */
public record ConsulConfig(Optional<URI> address, Optional<Path> tokenFile, Duration ttl, Duration deregisterAfter,
                           Duration blockingWait, Duration retryMin, Duration retryMax, int maxResponseBytes,
                           Path cacheFile, Optional<KvConfig> kv) {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DEREGISTER_AFTER = Duration.ofMinutes(10);
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETRY_MIN = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    /** Under the unit's StateDirectory: systemd removes /run/sluice when the service stops. */
    public static final Path DEFAULT_CACHE_FILE = Path.of("/var/lib/sluice/consul-discovered.json");

    /** Every default: the agent from CONSUL_HTTP_ADDR or loopback, no token. */
    public static final ConsulConfig DEFAULTS = new ConsulConfig(Optional.empty(), Optional.empty(), DEFAULT_TTL,
            DEFAULT_DEREGISTER_AFTER, DEFAULT_WAIT, DEFAULT_RETRY_MIN, DEFAULT_RETRY_MAX, DEFAULT_MAX_RESPONSE_BYTES,
            DEFAULT_CACHE_FILE);

    /** Without a shared config in KV. */
    public ConsulConfig(Optional<URI> address, Optional<Path> tokenFile, Duration ttl, Duration deregisterAfter,
                        Duration blockingWait, Duration retryMin, Duration retryMax, int maxResponseBytes,
                        Path cacheFile) {
        this(address, tokenFile, ttl, deregisterAfter, blockingWait, retryMin, retryMax, maxResponseBytes, cacheFile,
                Optional.empty());
    }

    public ConsulConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(deregisterAfter, "deregisterAfter");
        Objects.requireNonNull(blockingWait, "blockingWait");
        Objects.requireNonNull(retryMin, "retryMin");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(cacheFile, "cacheFile");
        Objects.requireNonNull(kv, "kv");
    }
}
