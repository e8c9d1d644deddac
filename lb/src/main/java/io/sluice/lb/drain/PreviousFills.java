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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends the previous daemon had FILLING, and since when, from the status file it last wrote
 * (once a second): a daemon that restarts, even after kill -9, resumes their fill where it was
 * instead of handing them their full share at once ({@link DrainBook}). Only a status written for
 * the same pin_dir counts (another data plane's states are not this one's); anything unreadable
 * in it is skipped, and a missing or unreadable file means no fill to resume.
 */
public final class PreviousFills {
    private static final Logger log = LoggerFactory.getLogger(PreviousFills.class);

    private PreviousFills() {
    }

    public static Map<BackendRef, Instant> read(Path statusFile, Path pinDir) {
        try {
            return from(StatusFile.read(statusFile), pinDir);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            log.warn("event=previous_status_unreadable file={} error=\"{}\" effect=no_fill_resumed", statusFile,
                    e.getMessage());
            return Map.of();
        }
    }

    public static Map<BackendRef, Instant> from(DaemonStatus status, Path pinDir) {
        if (status.pinDir() == null || !Path.of(status.pinDir()).equals(pinDir) || status.vips() == null) {
            return Map.of();
        }
        Map<BackendRef, Instant> fills = new HashMap<>();
        for (DaemonStatus.VipStatus vip : status.vips()) {
            for (DaemonStatus.BackendStatus backend : vip.backends()) {
                if (!DrainState.FILLING.label().equals(backend.drainState()) || backend.drainSince() == null) {
                    continue;
                }
                try {
                    VipKey key = new VipKey(IpLiteral.parse(vip.address()), vip.port(), Protocol.parse(vip.protocol()));
                    fills.put(new BackendRef(key, IpLiteral.parse(backend.address())),
                            Instant.parse(backend.drainSince()));
                } catch (RuntimeException e) {
                    // A hand-edited or foreign entry: that backend starts ACTIVE, as without the file.
                }
            }
        }
        return Map.copyOf(fills);
    }
}
