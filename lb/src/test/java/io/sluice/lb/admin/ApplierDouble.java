package io.sluice.lb.admin;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.net.AddressText;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The daemon's side of the API for tests that run without a data plane: a real thread that takes
 * each change from a queue, as the daemon's event loop does, persists it, makes it the running
 * config, counts it as one reconcile and publishes a status built from it (counters set by the test).
 */
final class ApplierDouble implements DaemonAccess, AutoCloseable {
    static final String STARTED_AT = "2026-01-01T00:00:00Z";

    private final Path configFile;
    private final AdminBridge bridge;
    private final BlockingQueue<ConfigChange> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger reconciles = new AtomicInteger();
    private final AtomicLong packetsPerBackend = new AtomicLong();
    private final AtomicReference<String> refuseField = new AtomicReference<>();
    private final AtomicReference<SluiceConfig> reloadBeforeNext = new AtomicReference<>();
    /** What the daemon's reconcile does beyond the double's bookkeeping (the DoS tests apply real DoS rules). */
    private volatile java.util.function.Consumer<SluiceConfig> onApplied = config -> { };
    private final Thread thread;

    ApplierDouble(Path configFile, SluiceConfig initial, boolean publishStatus) {
        this.configFile = configFile;
        this.bridge = new AdminBridge(configFile, initial, queue::add);
        if (publishStatus) {
            bridge.publish(status(initial));
        }
        thread = new Thread(this::loop, "applier-double");
        thread.setDaemon(true);
        thread.start();
    }

    /** The next change is refused as the daemon refuses a setting that needs a restart. */
    void refuseNext(String field) {
        refuseField.set(field);
    }

    /** A SIGHUP reload of {@code config} is handled just before the next change, as it can be in the daemon. */
    void reloadBeforeNext(SluiceConfig config) {
        reloadBeforeNext.set(config);
    }

    void setPacketsPerBackend(long packets) {
        packetsPerBackend.set(packets);
        bridge.publish(status(bridge.config()));
    }

    void onApplied(java.util.function.Consumer<SluiceConfig> hook) {
        onApplied = hook;
    }

    int reconciles() {
        return reconciles.get();
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            ConfigChange change;
            try {
                change = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            SluiceConfig reloaded = reloadBeforeNext.getAndSet(null);
            if (reloaded != null) {
                bridge.publish(reloaded, reloaded);
            }
            String refuse = refuseField.getAndSet(null);
            if (refuse != null) {
                change.reply().complete(ConfigChange.Outcome.refused(refuse, "cannot change without a restart"));
                continue;
            }
            try {
                change.persist().run();
            } catch (Exception e) {
                change.reply().complete(ConfigChange.Outcome.failed(e.getMessage()));
                continue;
            }
            bridge.publish(change.candidate(), change.candidate());
            reconciles.incrementAndGet();
            onApplied.accept(change.candidate());
            bridge.publish(status(change.candidate()));
            change.reply().complete(ConfigChange.Outcome.APPLIED);
        }
    }

    private DaemonStatus status(SluiceConfig config) {
        long p = packetsPerBackend.get();
        List<VipStatus> vips = config.vips().stream().map(v -> vipStatus(v, p)).toList();
        return new DaemonStatus("test", config.interfaceName(), config.pinDir().toString(), false, STARTED_AT,
                Instant.now().toString(), "epoll", vips, Map.of("pass", 7L, "drop_no_backend", 3L));
    }

    private static VipStatus vipStatus(VipConfig v, long packets) {
        List<BackendStatus> backends = v.backends().stream().map(b -> backendStatus(b, packets)).toList();
        return new VipStatus(v.name(), AddressText.of(v.address()), v.port(),
                v.protocol().name().toLowerCase(Locale.ROOT), v.tableSize(), AdminTestServer.fingerprintOf(v.name()),
                false, "fail_open",
                packets * backends.size(), 100 * packets * backends.size(), backends.size(), backends);
    }

    private static BackendStatus backendStatus(BackendConfig b, long packets) {
        int effective = b.drain() ? 0 : b.weight();
        return new BackendStatus(AddressText.of(b.address()), b.weight(), effective, effective > 0, "unchecked",
                null, null, null, packets, 100 * packets, 1, b.drain() ? "draining" : "active", null, null);
    }

    @Override
    public Optional<DaemonStatus> status() {
        return bridge.status();
    }

    @Override
    public SluiceConfig config() {
        return bridge.config();
    }

    /** The daemon's view after it laid a shared document over its file: what the API reads. */
    void publishConfig(SluiceConfig file, SluiceConfig effective) {
        bridge.publish(file, effective);
        bridge.publish(status(effective));
    }

    @Override
    public SluiceConfig fileConfig() {
        return bridge.fileConfig();
    }

    /** As the daemon does with consul.kv: the shared document's key and the version in force. */
    void shared(String key, io.sluice.lb.consul.SharedDocument inForce) {
        bridge.shared(key, inForce);
    }

    @Override
    public Optional<String> sharedKey() {
        return bridge.sharedKey();
    }

    @Override
    public Optional<io.sluice.lb.consul.SharedDocument> sharedDocument() {
        return bridge.sharedDocument();
    }

    @Override
    public Path configFile() {
        return configFile;
    }

    @Override
    public void submit(ConfigChange change) {
        bridge.submit(change);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
