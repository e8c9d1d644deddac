package io.sluice.lb.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every API change goes through here, one at a time: the config file is read as a YAML tree, the
 * edit is made on the tree, the whole result is validated by the daemon's own config reader, and
 * only a valid config goes to the daemon, which writes the file and reconciles once. An invalid
 * edit is a 400 naming the field, and nothing changes: not the file, not the maps.
 */
public final class ConfigEditor implements AutoCloseable {
    /** Longer than any reconcile; a daemon that does not answer by then is stuck or stopping. */
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private static final String RELOADED_MEANWHILE = "the daemon reloaded its config while this change was"
            + " prepared: nothing was written, try again";

    /** One change to the config tree; throws 4xx for a target that does not exist or bad input. */
    @FunctionalInterface
    public interface Edit {
        void apply(ObjectNode root) throws ApiException;
    }

    /** The sections the shared document owns (consul.kv). */
    private static final java.util.List<String> SHARED_SECTIONS = java.util.List.of("vips", "dos");

    private final DaemonAccess daemon;
    private final ExecutorService serial = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluiced-admin-edit");
        t.setDaemon(true);
        return t;
    });

    public ConfigEditor(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    /** Edits, validates, persists and applies; completes with the config now in effect. */
    public CompletableFuture<SluiceConfig> change(String cause, Edit edit) {
        return run(() -> {
            String text = readFile();
            SluiceConfig onDisk = parse(text, HttpStatus.CONFLICT);
            if (!onDisk.equals(daemon.fileConfig())) {
                throw new ApiException(HttpStatus.CONFLICT, daemon.configFile() + " was changed since the daemon"
                        + " loaded it: reload it (sluice config reload) or undo that change first");
            }
            ObjectNode root = (ObjectNode) tree(text);
            applyOutsideShared(root, edit);
            String edited = AdminJson.YAML.writeValueAsString(root);
            SluiceConfig candidate = parse(edited, HttpStatus.BAD_REQUEST);
            // Runs on the daemon thread: a SIGHUP reload that slipped in since the check above
            // would otherwise be overwritten by a change prepared from the file before it.
            ConfigChange.Persist persist = () -> {
                if (!onDisk.equals(daemon.fileConfig())) {
                    throw new java.io.IOException(RELOADED_MEANWHILE);
                }
                ConfigFile.replace(daemon.configFile(), edited);
            };
            return apply(new ConfigChange(candidate, cause, persist, new CompletableFuture<>()));
        });
    }

    /**
     * Makes the edit, refusing (409, naming the key) one that would change what the fleet's shared
     * document owns when consul.kv is set: VIPs, backends and DoS rules live in Consul KV, and the
     * API does not write there (one writer per fleet: whatever deploys the document).
     */
    private void applyOutsideShared(ObjectNode root, Edit edit) throws ApiException {
        java.util.Optional<String> key = daemon.sharedKey();
        if (key.isEmpty()) {
            edit.apply(root);
            return;
        }
        ObjectNode before = root.deepCopy();
        try {
            edit.apply(root);
        } catch (ApiException e) {
            throw sharedOwned(key.get()); // its target (a VIP, a backend, a deny entry) lives in the document
        }
        for (String section : SHARED_SECTIONS) {
            if (!java.util.Objects.equals(before.get(section), root.get(section))) {
                throw sharedOwned(key.get());
            }
        }
    }

    private static ApiException sharedOwned(String key) {
        return new ApiException(HttpStatus.CONFLICT, "VIPs, backends and DoS rules come from Consul KV key " + key
                + " (consul.kv.prefix is set): change that document (for example consul kv put " + key
                + " @fleet.yaml), not this host; every LB host of the fleet applies it");
    }

    /** Re-reads the file as it is and applies it (the API's SIGHUP, with an answer). */
    public CompletableFuture<SluiceConfig> reload() {
        return run(() -> {
            SluiceConfig candidate = parse(readFile(), HttpStatus.BAD_REQUEST);
            return apply(new ConfigChange(candidate, "api_reload", ConfigChange.NOTHING, new CompletableFuture<>()));
        });
    }

    /** Validates YAML text with the daemon's reader; 400 with every problem when invalid. */
    public static SluiceConfig validate(String yaml) throws ApiException {
        return parse(yaml, HttpStatus.BAD_REQUEST);
    }

    @Override
    public void close() {
        serial.shutdownNow();
    }

    private interface Step {
        SluiceConfig run() throws ApiException, IOException;
    }

    private CompletableFuture<SluiceConfig> run(Step step) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return step.run();
            } catch (ApiException e) {
                throw new CompletionException(e);
            } catch (IOException e) {
                throw new CompletionException(new ApiException(HttpStatus.INTERNAL_ERROR,
                        "config file " + daemon.configFile() + ": " + e.getMessage()));
            }
        }, serial);
    }

    private SluiceConfig apply(ConfigChange change) throws ApiException {
        daemon.submit(change);
        ConfigChange.Outcome outcome;
        try {
            outcome = change.reply().get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(HttpStatus.UNAVAILABLE, "the daemon did not apply the change within "
                    + APPLY_TIMEOUT.toSeconds() + "s (stopping?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.UNAVAILABLE, "interrupted while waiting for the daemon");
        } catch (ExecutionException e) {
            throw new ApiException(HttpStatus.INTERNAL_ERROR, "the daemon failed: " + e.getCause());
        }
        if (outcome.refusedField() != null) {
            throw ApiException.badField(outcome.refusedField(), outcome.error());
        }
        if (!outcome.applied()) {
            boolean raced = outcome.error() != null && outcome.error().contains(RELOADED_MEANWHILE);
            throw new ApiException(raced ? HttpStatus.CONFLICT : HttpStatus.INTERNAL_ERROR, outcome.error());
        }
        if (!outcome.programmed()) {
            throw new ApiException(HttpStatus.INTERNAL_ERROR, "saved and in effect, but the maps could not be"
                    + " written yet (the daemon retries every second): " + outcome.error());
        }
        return change.candidate();
    }

    private String readFile() throws IOException {
        return Files.readString(daemon.configFile(), StandardCharsets.UTF_8);
    }

    private static JsonNode tree(String text) throws ApiException {
        try {
            JsonNode root = AdminJson.YAML.readTree(text);
            if (root == null || !root.isObject()) {
                throw new ApiException(HttpStatus.CONFLICT, "the config file is not a YAML mapping");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ApiException(HttpStatus.CONFLICT, "the config file is not valid YAML: " + e.getOriginalMessage());
        }
    }

    private static SluiceConfig parse(String yaml, int status) throws ApiException {
        try {
            return ConfigLoader.parse(yaml);
        } catch (ConfigException e) {
            String message = status == HttpStatus.CONFLICT ? "the config file on disk is invalid: " + e.getMessage()
                    : e.getMessage();
            throw new ApiException(status, message, e.errors());
        }
    }
}
