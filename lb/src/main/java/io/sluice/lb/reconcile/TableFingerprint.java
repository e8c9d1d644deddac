package io.sluice.lb.reconcile;

import io.sluice.lb.dataplane.FlowHash;
import io.sluice.lb.dataplane.PackedSlot;
import io.sluice.lb.maglev.SipHash24;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The fingerprint of a VIP's table as the data plane forwards with it: 16 hex digits, equal on two
 * LB hosts exactly when every new flow goes to the same backend address with the same
 * second-chance (previous owner) address.
 *
 * <p>Defined over what matters for forwarding and nothing host-local: the table size, the flow
 * hash's identity ({@link FlowHash#IDENTITY}: the hash picks the slot, so two hosts with equal
 * tables but different hashes, as in a rolling upgrade across dataplane ABI 7, forward apart),
 * then per slot the owner's address and the previous owner's address (or none). Backend ids are resolved to
 * addresses first, because ids are allocated per host and differ between hosts that forward alike.
 * The hash is SipHash-2-4 under a fixed, published key (ASCII "sluice-table-fp1"), the same
 * function the Maglev tables are built with: stable across hosts, JVMs and releases. An address
 * enters as the SipHash of its canonical text ({@link BackendIdentity}); a slot without a previous
 * owner adds the word 0.
 *
 * <p>Costs one pass over the slots (two words each), computed only when a table changes.
 */
public final class TableFingerprint {
    /** A VIP with no table: no backend takes new flows, the program drops them. */
    public static final String NONE = "none";
    /** A table found in the maps that names a backend id with no address (replaced at once). */
    public static final String UNKNOWN = "unknown";

    // "sluice-table-fp1" as two little-endian halves. Changing it changes every fingerprint.
    private static final SipHash24 HASH = new SipHash24(0x742d656369756c73L, 0x3170662d656c6261L);
    private static final long NO_PREVIOUS = 0L;

    private TableFingerprint() {
    }

    /**
     * @param slots     the packed slots (owner, previous owner) as written to the map
     * @param addressOf the backend address of a backend id of this VIP
     * @throws IllegalArgumentException when a slot names an id with no address
     */
    public static String of(int[] slots, IntFunction<InetAddress> addressOf) {
        return of(FlowHash.IDENTITY, slots, addressOf);
    }

    /** {@link #of(int[], IntFunction)} for a data plane whose flow hash has this identity. */
    static String of(long flowHashIdentity, int[] slots, IntFunction<InetAddress> addressOf) {
        Map<Integer, Long> addressHashes = new HashMap<>();
        SipHash24.WordStream stream = HASH.wordStream().add(slots.length).add(flowHashIdentity);
        for (int slot : slots) {
            stream.add(addressHash(PackedSlot.owner(slot), addressOf, addressHashes));
            int previous = PackedSlot.previousOwner(slot);
            stream.add(previous < 0 ? NO_PREVIOUS : addressHash(previous, addressOf, addressHashes));
        }
        return String.format(Locale.ROOT, "%016x", stream.finish());
    }

    private static long addressHash(int id, IntFunction<InetAddress> addressOf, Map<Integer, Long> cache) {
        return cache.computeIfAbsent(id, i -> {
            InetAddress address = addressOf.apply(i);
            if (address == null) {
                throw new IllegalArgumentException("the table names backend id " + i + ", which has no address");
            }
            return HASH.hash(BackendIdentity.of(address).getBytes(StandardCharsets.UTF_8));
        });
    }
}
