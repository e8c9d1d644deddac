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
 * @param filling  the backend joined or returned lately: the buckets it takes from others name
 *                 their owner without it as previous owner, so flows in flight stay there
 */
public record DesiredBackend(InetAddress address, int weight, boolean draining, boolean filling) {
    /** A backend in service, taking new flows by its weight. */
    public DesiredBackend(InetAddress address, int weight) {
        this(address, weight, false, false);
    }

    /** A backend in service, or draining. */
    public DesiredBackend(InetAddress address, int weight, boolean draining) {
        this(address, weight, draining, false);
    }

    public DesiredBackend {
        Objects.requireNonNull(address, "address");
        if (draining && filling) {
            throw new IllegalArgumentException("a backend cannot drain and fill at once: " + address);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
    }

    /** The identity Maglev hashes: the canonical text of the address, the same on every host. */
    public String identity() {
        return BackendIdentity.of(address);
    }
}
