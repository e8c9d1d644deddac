package io.sluice.lb.status;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What `sluice status` shows: written by the daemon as JSON after every change and every
 * second. Field names are the JSON keys (snake_case via the writer's naming strategy).
 */
public record DaemonStatus(
        String version,
        String interfaceName,
        String pinDir,
        boolean adopted,
        String startedAt,
        String updatedAt,
        String healthTransport,
        List<VipStatus> vips,
        Map<String, Long> packetReasons,
        DosStatus dos,
        ConfigSource configSource) {

    public DaemonStatus {
        vips = List.copyOf(vips);
        packetReasons = inOrder(packetReasons);
    }

    /**
     * An unmodifiable copy that keeps the caller's order (the reasons' C order, the DoS drops'
     * names): Map.copyOf iterates in an order that changes from one JVM start to the next, and the
     * status file, the admin API and {@code sluice stats} print counters in this order.
     */
    public static Map<String, Long> inOrder(Map<String, Long> counters) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** Without a DoS section (null in the JSON). */
    public DaemonStatus(String version, String interfaceName, String pinDir, boolean adopted, String startedAt,
                        String updatedAt, String healthTransport, List<VipStatus> vips, Map<String, Long> packetReasons) {
        this(version, interfaceName, pinDir, adopted, startedAt, updatedAt, healthTransport, vips, packetReasons, null);
    }

    /** Without a config-source section (null in the JSON). */
    public DaemonStatus(String version, String interfaceName, String pinDir, boolean adopted, String startedAt,
                        String updatedAt, String healthTransport, List<VipStatus> vips, Map<String, Long> packetReasons,
                        DosStatus dos) {
        this(version, interfaceName, pinDir, adopted, startedAt, updatedAt, healthTransport, vips, packetReasons, dos,
                null);
    }

    public DaemonStatus withDos(DosStatus section) {
        return new DaemonStatus(version, interfaceName, pinDir, adopted, startedAt, updatedAt, healthTransport, vips,
                packetReasons, section, configSource);
    }

    public DaemonStatus withConfigSource(ConfigSource section) {
        return new DaemonStatus(version, interfaceName, pinDir, adopted, startedAt, updatedAt, healthTransport, vips,
                packetReasons, dos, section);
    }

    /**
     * Where the VIPs, backends and DoS rules in force come from.
     *
     * @param source           {@code file} (the local config file) or {@code consul_kv} (the fleet's shared document)
     * @param key              the KV key, with consul_kv
     * @param modifyIndex      the ModifyIndex of the document in force, with consul_kv (0 before the first)
     * @param loadedFrom       {@code consul}, or {@code cache} when the daemon started while the agent was unreachable
     * @param lastRejected     why the last rejected document was rejected (null when none since the one in force)
     * @param lastRejectedAt   when
     */
    public record ConfigSource(String source, String key, long modifyIndex, String loadedFrom, String lastRejected,
                               String lastRejectedAt) {
        public static final ConfigSource FILE = new ConfigSource("file", null, 0, null, null, null);
    }

    /**
     * The DoS stage: list sizes, run-time blocks (with expiry and hits) and its drop counters.
     *
     * @param denyEntries config entries and run-time blocks
     * @param drops       packets per DoS-related reason
     */
    public record DosStatus(int allowEntries, int denyEntries, List<BlockStatus> blocks, Map<String, Long> drops) {
        public DosStatus {
            blocks = List.copyOf(blocks);
            drops = inOrder(drops);
        }
    }

    /** A run-time block: origin auto or manual; expiresAt null = until unblocked; hits = packets dropped. */
    public record BlockStatus(String prefix, String origin, String reason, String blockedAt, String expiresAt,
                              long hits) {
    }

    /**
     * One VIP: its key, its alert state, its counters and backends.
     *
     * @param tableFingerprint the fingerprint of the table in the data plane (16 hex digits, "none"
     *                         without a table; null before the first reconcile): equal on every LB
     *                         host that forwards the VIP's new flows alike (docs/consul.md)
     */
    public record VipStatus(
            String name,
            String address,
            int port,
            String protocol,
            int tableSize,
            String tableFingerprint,
            boolean allBackendsDown,
            String whenAllDown,
            long packets,
            long bytes,
            long newFlows,
            List<BackendStatus> backends) {

        public VipStatus {
            backends = List.copyOf(backends);
        }

        /** Without a fingerprint (not known yet). */
        public VipStatus(String name, String address, int port, String protocol, int tableSize,
                         boolean allBackendsDown, String whenAllDown, long packets, long bytes, long newFlows,
                         List<BackendStatus> backends) {
            this(name, address, port, protocol, tableSize, null, allBackendsDown, whenAllDown, packets, bytes,
                    newFlows, backends);
        }
    }

    /**
     * One backend of a VIP.
     *
     * @param weight          as configured
     * @param effectiveWeight what the table was built with now (0 when out of the table; ramps during slow start)
     * @param health          "up", "down", or "unchecked"
     * @param lastCheck       null before the first check result
     * @param drainState      "active", "filling", "draining" or "drained" (docs/drain.md)
     * @param drainSince      when it entered that state; null if not since this daemon started
     * @param drainDetail     why, e.g. "config", "quiet after 17s", "timeout after 600s, 42 flow-cache entries"
     */
    public record BackendStatus(
            String address,
            int weight,
            int effectiveWeight,
            boolean inTable,
            String health,
            String healthSince,
            String check,
            CheckStatus lastCheck,
            long packets,
            long bytes,
            long newFlows,
            String drainState,
            String drainSince,
            String drainDetail) {
    }

    /** The latest result of a backend's check. */
    public record CheckStatus(boolean passed, String at, double latencyMs, String detail) {
    }
}
