package io.sluice.lb.bgp;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin API's way to the announcer: reads answer from its published view at once, a drain or
 * undrain runs on the daemon's thread (where every route change happens) and completes the future.
 */
public final class HostControl {
    private final Supplier<Announcer> announcer;
    private final Consumer<Runnable> onDaemon;

    public HostControl(Supplier<Announcer> announcer, Consumer<Runnable> onDaemon) {
        this.announcer = announcer;
        this.onDaemon = onDaemon;
    }

    /** Empty view (bgp: false) while BGP is off. */
    public HostView view() {
        Announcer a = announcer.get();
        return a == null ? HostView.OFF : a.view();
    }

    public boolean enabled() {
        return announcer.get() != null;
    }

    /** Drains or undrains the host; fails when BGP is off or the state file cannot be written. */
    public CompletableFuture<HostView> drain(boolean drained) {
        CompletableFuture<HostView> reply = new CompletableFuture<>();
        onDaemon.accept(() -> {
            Announcer a = announcer.get();
            if (a == null) {
                reply.completeExceptionally(new IllegalStateException("bgp is off in the config: nothing to drain"));
                return;
            }
            try {
                reply.complete(a.drain(drained));
            } catch (IOException | RuntimeException e) {
                reply.completeExceptionally(new IllegalStateException("could not keep the host state: "
                        + e.getMessage(), e));
            }
        });
        return reply;
    }
}
