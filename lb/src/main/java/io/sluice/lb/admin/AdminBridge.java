package io.sluice.lb.admin;

import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.consul.SharedDocument;
import io.sluice.lb.status.DaemonStatus;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The daemon's side of {@link DaemonAccess}: the daemon thread publishes its status and config
 * here after every event, and changes go to its event queue through {@code post}, so the API
 * never touches the maps or the daemon's state itself.
 */
public final class AdminBridge implements DaemonAccess {
    private final Path configFile;
    private final Consumer<ConfigChange> post;
    private final AtomicReference<DaemonStatus> status = new AtomicReference<>();
    private final AtomicReference<SluiceConfig> config;
    private final AtomicReference<SluiceConfig> fileConfig;
    private volatile String sharedKey;
    private final AtomicReference<SharedDocument> sharedDocument = new AtomicReference<>();

    public AdminBridge(Path configFile, SluiceConfig initial, Consumer<ConfigChange> post) {
        this.configFile = Objects.requireNonNull(configFile, "configFile");
        this.config = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
        this.fileConfig = new AtomicReference<>(initial);
        this.post = Objects.requireNonNull(post, "post");
    }

    /**
     * Called on the daemon thread whenever its config changes.
     *
     * @param file      the config as the file says (what API edits start from)
     * @param effective the config in effect: the file's, with Consul-discovered backends laid in
     */
    public void publish(SluiceConfig file, SluiceConfig effective) {
        fileConfig.set(file);
        config.set(effective);
    }

    /** Called on the daemon thread when the fleet's shared document (consul.kv) is read or changes. */
    public void shared(String key, SharedDocument inForce) {
        sharedKey = key;
        sharedDocument.set(inForce);
    }

    @Override
    public Optional<String> sharedKey() {
        return Optional.ofNullable(sharedKey);
    }

    @Override
    public Optional<SharedDocument> sharedDocument() {
        return Optional.ofNullable(sharedDocument.get());
    }

    /** Called on the daemon thread after every status build. */
    public void publish(DaemonStatus now) {
        status.set(now);
    }

    @Override
    public Optional<DaemonStatus> status() {
        return Optional.ofNullable(status.get());
    }

    @Override
    public SluiceConfig config() {
        return config.get();
    }

    @Override
    public SluiceConfig fileConfig() {
        return fileConfig.get();
    }

    @Override
    public Path configFile() {
        return configFile;
    }

    @Override
    public void submit(ConfigChange change) {
        post.accept(change);
    }
}
