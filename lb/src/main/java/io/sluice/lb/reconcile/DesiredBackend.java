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
 * @param targetWeight the weight a filling backend's slow start ramps to ({@code weight} when it is
 *                 not ramping): the buckets it takes only later in the ramp name it as their previous
 *                 owner meanwhile, so LB hosts at different points of the same ramp (their fills began
 *                 seconds apart) still reach the flows each other placed
 */
public record DesiredBackend(InetAddress address, int weight, boolean draining, boolean filling, int targetWeight) {
    /** A backend in service, taking new flows by its weight. */
    public DesiredBackend(InetAddress address, int weight) {
        this(address, weight, false, false);
    }

    /** A backend in service, draining, or filling at its own weight (no slow start left). */
    public DesiredBackend(InetAddress address, int weight, boolean draining, boolean filling) {
        this(address, weight, draining, filling, weight);
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
        if (targetWeight < weight) {
            throw new IllegalArgumentException("a slow start ramps up: target weight " + targetWeight
                    + " < weight " + weight + " for " + address);
        }
        if (targetWeight != weight && !filling) {
            throw new IllegalArgumentException("only a filling backend ramps: " + address);
        }
    }

    /** A filling backend on its slow start: {@code weight} now, {@code targetWeight} when it ends. */
    public static DesiredBackend ramping(InetAddress address, int weight, int targetWeight) {
        return new DesiredBackend(address, weight, false, true, targetWeight);
    }

    /** Its slow start still holds it below its own weight. */
    public boolean ramping() {
        return targetWeight > weight;
    }

    /** The identity Maglev hashes: the canonical text of the address, the same on every host. */
    public String identity() {
        return BackendIdentity.of(address);
    }
}
