package io.sluice.lb.drain;

import io.sluice.lb.config.IpLiteral;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.StatusFile;
import io.sluice.lb.steering.BackendRef;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends the previous daemon had FILLING or DRAINING, and since when, from the status file it
 * last wrote (once a second): a daemon that restarts, even after kill -9, resumes a fill where it
 * was instead of handing the backend its full share at once, and a drain on its own clock instead
 * of granting it a fresh timeout ({@link DrainBook}). Only a status written for the same pin_dir
 * counts (another data plane's states are not this one's); anything unreadable in it is skipped,
 * and a missing or unreadable file means nothing to resume.
 */
public final class PreviousDrains {
    private static final Logger log = LoggerFactory.getLogger(PreviousDrains.class);

    /** A backend's state in the previous daemon's status, and when it entered it. */
    public record Recorded(DrainState state, Instant since) {
    }

    private PreviousDrains() {
    }

    public static Map<BackendRef, Recorded> read(Path statusFile, Path pinDir) {
        try {
            return from(StatusFile.read(statusFile), pinDir);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            log.warn("event=previous_status_unreadable file={} error=\"{}\" effect=no_drain_state_resumed", statusFile,
                    e.getMessage());
            return Map.of();
        }
    }

    public static Map<BackendRef, Recorded> from(DaemonStatus status, Path pinDir) {
        if (status.pinDir() == null || !Path.of(status.pinDir()).equals(pinDir) || status.vips() == null) {
            return Map.of();
        }
        Map<BackendRef, Recorded> recorded = new HashMap<>();
        for (DaemonStatus.VipStatus vip : status.vips()) {
            for (DaemonStatus.BackendStatus backend : vip.backends()) {
                Optional<DrainState> state = resumable(backend.drainState());
                if (state.isEmpty() || backend.drainSince() == null) {
                    continue;
                }
                try {
                    VipKey key = new VipKey(IpLiteral.parse(vip.address()), vip.port(), Protocol.parse(vip.protocol()));
                    recorded.put(new BackendRef(key, IpLiteral.parse(backend.address())),
                            new Recorded(state.get(), Instant.parse(backend.drainSince())));
                } catch (RuntimeException e) {
                    // A hand-edited or foreign entry: that backend starts as it would without the file.
                }
            }
        }
        return Map.copyOf(recorded);
    }

    /** The states whose clock a restart resumes. */
    private static Optional<DrainState> resumable(String label) {
        if (DrainState.FILLING.label().equals(label)) {
            return Optional.of(DrainState.FILLING);
        }
        if (DrainState.DRAINING.label().equals(label)) {
            return Optional.of(DrainState.DRAINING);
        }
        return Optional.empty();
    }
}
