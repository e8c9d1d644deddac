package io.sluice.lb.steering;

import io.sluice.health.CheckHandle;
import io.sluice.health.HealthEngine;
import io.sluice.health.Target;
import io.sluice.health.TargetStatus;
import io.sluice.health.state.HealthState;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.HealthCheckConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Keeps the health engine watching exactly the checks the config asks for, and turns the engine's
 * transitions into {@link HealthEvent}s for the daemon's thread.
 *
 * <p>Initial state: backends present when the daemon starts are assumed UP (a restart must not pull
 * serving backends: a failing one goes DOWN after `fall` failures) — when it adopts a running data
 * plane, only those the data plane serves (one that was DOWN stays out until `rise` passes: a
 * restart changes no table); a backend added later by a reload starts DOWN and takes traffic
 * after `rise` passes.
 */
public final class HealthSupervisor implements AutoCloseable {
    private record Watch(HealthCheckConfig check, CheckHandle handle) {
    }

    private final HealthEngine engine;
    private final Consumer<HealthEvent> sink;
    private final Map<BackendRef, Watch> watches = new HashMap<>();

    public HealthSupervisor(HealthEngine engine, Consumer<HealthEvent> sink) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Opens, keeps or closes watches to match the config; tracks every checked backend in the book. */
    public void apply(SluiceConfig config, HealthBook book, boolean startup, Instant now) {
        apply(config, book, ref -> startup, now);
    }

    /**
     * As above; a backend seen for the first time starts UP (as if serving all along: no slow start)
     * if {@code assumedUp} says so, else DOWN.
     */
    public void apply(SluiceConfig config, HealthBook book, java.util.function.Predicate<BackendRef> assumedUp,
                      Instant now) {
        Map<BackendRef, HealthCheckConfig> wanted = new HashMap<>();
        for (VipConfig vip : config.vips()) {
            VipKey key = vip.key();
            for (BackendConfig backend : vip.backends()) {
                backend.healthCheck().ifPresent(c -> wanted.put(new BackendRef(key, backend.address()), c));
            }
        }
        for (Iterator<Map.Entry<BackendRef, Watch>> it = watches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<BackendRef, Watch> e = it.next();
            if (!e.getValue().check().equals(wanted.get(e.getKey()))) {
                e.getValue().handle().close();
                it.remove();
            }
        }
        for (Map.Entry<BackendRef, HealthCheckConfig> e : wanted.entrySet()) {
            BackendRef ref = e.getKey();
            if (watches.containsKey(ref)) {
                continue;
            }
            boolean up = assumedUp.test(ref);
            HealthState initial = book.get(ref).map(BackendHealth::state)
                    .orElse(up ? HealthState.UP : HealthState.DOWN);
            // A backend assumed UP at startup has been serving already: no slow start for it.
            book.track(ref, initial, up ? Instant.EPOCH : now);
            HealthCheckConfig check = e.getValue();
            CheckHandle handle = engine.watch(new Target(ref.address(), check.port()),
                    check.spec().withInitialState(initial),
                    (target, from, to, result) -> sink.accept(new HealthEvent(ref, from, to, result)));
            watches.put(ref, new Watch(check, handle));
        }
        book.retainOnly(wanted.keySet());
    }

    /** The engine's view of every running check (last result, latency), for status output. */
    public List<TargetStatus> checks() {
        return engine.status();
    }

    public String transport() {
        return engine.transport().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        watches.values().forEach(w -> w.handle().close());
        watches.clear();
        engine.close();
    }
}
