package io.sluice.lb.reconcile;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One backend of a VIP as the operator wants it.
 *
 * @param address the backend's address; its family decides the encapsulation
 * @param weight  share of new flows; 0 keeps the backend programmed (its flows stay) but gives it no slots
 * @param draining the backend takes no new flows but stays in service; the buckets it owned with
 *                 {@code weight} name it as their previous owner (second chance, docs/drain.md)
 */
public record DesiredBackend(InetAddress address, int weight, boolean draining) {
    /** A backend in service, taking new flows by its weight. */
    public DesiredBackend(InetAddress address, int weight) {
        this(address, weight, false);
    }

    public DesiredBackend {
        Objects.requireNonNull(address, "address");
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
    }

    /** The identity Maglev hashes: the canonical text of the address, the same on every host. */
    public String identity() {
        return BackendIdentity.of(address);
    }
}
