package io.sluice.lb.admin;

import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.consul.SharedDocument;
import io.sluice.lb.status.DaemonStatus;
import java.nio.file.Path;
import java.util.Optional;

/** What the admin API needs from the daemon: its published view, and a way to hand it a change. */
public interface DaemonAccess {
    /** The latest status snapshot; empty before the daemon's first one. */
    Optional<DaemonStatus> status();

    /** The config in effect (with any Consul-discovered backends laid in). */
    SluiceConfig config();

    /** The config as the daemon last read or wrote its file: what an edit must start from. */
    default SluiceConfig fileConfig() {
        return config();
    }

    /**
     * The Consul KV key of the fleet's shared document when consul.kv is set: VIPs, backends and
     * DoS rules come from there, and API edits of them are refused.
     */
    default Optional<String> sharedKey() {
        return Optional.empty();
    }

    /** The shared document in force (with consul.kv). */
    default Optional<SharedDocument> sharedDocument() {
        return Optional.empty();
    }

    /** The file the daemon loads, and the API edits. */
    Path configFile();

    /** Queue a change for the daemon thread; the reply comes through {@link ConfigChange#reply()}. */
    void submit(ConfigChange change);
}
