package io.sluice.lb.dos;

import io.sluice.lb.dataplane.LpmPrefix;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A run-time entry of the deny list, on top of the config's: put there by automatic mitigation or
 * by an operator (admin API / CLI), until {@code expiresAt} (empty = until removed).
 */
public record Block(LpmPrefix prefix, Origin origin, String reason, Instant blockedAt, Optional<Instant> expiresAt) {

    public enum Origin {
        AUTO, MANUAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Block {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(blockedAt, "blockedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
