package io.sluice.lb.maglev;

import io.sluice.lb.dataplane.DataplaneAbi;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A Maglev lookup table (Eisenbud et al., NSDI 2016), weighted.
 *
 * <p>The table is a pure function of (backend identities, weights, size): the
 * backends are sorted by identity first, and every per-backend number comes from
 * SipHash-2-4 of the identity's UTF-8 bytes under fixed keys, so any two hosts
 * build the same table from the same set. See docs/maglev.md for the weighting.
 */
public final class MaglevTable {
    /** Smallest accepted table size. */
    public static final int MIN_SIZE = 3;
    /** Largest accepted table size (SLUICE_MAGLEV_MAX_SIZE in sluice_abi.h). */
    public static final int MAX_SIZE = DataplaneAbi.MAGLEV_MAX_SIZE;
    /** The table size the paper and Katran use; a good default for up to a few hundred backends. */
    public static final int DEFAULT_SIZE = 65_537;
    /** ownerIndex of every slot of a table in which no backend has a weight above zero. */
    public static final int NO_OWNER = -1;

    // Fixed, published keys: changing any of them moves every flow on every host.
    // (ASCII of "sluice-maglev-of", "sluice-maglev-sk", "sluice-maglev-fp", little-endian halves.)
    static final SipHash24 OFFSET_HASH = new SipHash24(0x6d2d656369756c73L, 0x666f2d76656c6761L);
    static final SipHash24 SKIP_HASH = new SipHash24(0x6d2d656369756c73L, 0x6b732d76656c6761L);
    static final SipHash24 FINGERPRINT_HASH = new SipHash24(0x6d2d656369756c73L, 0x70662d76656c6761L);

    private final List<MaglevBackend> backends;
    private final long[] identityHashes;
    private final int[] owners;

    private MaglevTable(List<MaglevBackend> backends, long[] identityHashes, int[] owners) {
        this.backends = backends;
        this.identityHashes = identityHashes;
        this.owners = owners;
    }

    /**
     * Builds the table. Throws IllegalArgumentException when the size is not a prime
     * in [MIN_SIZE, MAX_SIZE] greater than the number of backends, or when two
     * backends share an identity.
     */
    public static MaglevTable build(Collection<MaglevBackend> backends, int size) {
        List<MaglevBackend> sorted = canonicalOrder(backends);
        validateSize(size, sorted.size());
        int n = sorted.size();
        long[] identityHashes = new long[n];
        int[] offsets = new int[n];
        int[] skips = new int[n];
        for (int i = 0; i < n; i++) {
            byte[] id = sorted.get(i).identity().getBytes(StandardCharsets.UTF_8);
            identityHashes[i] = OFFSET_HASH.hash(id);
            offsets[i] = (int) Long.remainderUnsigned(identityHashes[i], size);
            skips[i] = (int) Long.remainderUnsigned(SKIP_HASH.hash(id), size - 1) + 1;
        }
        int[] weights = sorted.stream().mapToInt(MaglevBackend::weight).toArray();
        int[] owners = MaglevFill.fill(size, offsets, skips, weights);
        return new MaglevTable(List.copyOf(sorted), identityHashes, owners);
    }

    private static List<MaglevBackend> canonicalOrder(Collection<MaglevBackend> backends) {
        if (backends == null) {
            throw new IllegalArgumentException("backends must not be null");
        }
        List<MaglevBackend> sorted = new ArrayList<>(backends.size());
        for (MaglevBackend b : backends) {
            if (b == null) {
                throw new IllegalArgumentException("backends must not contain null");
            }
            sorted.add(b);
        }
        // String.compareTo is specified by the JLS (UTF-16 code units): the same order everywhere.
        sorted.sort(Comparator.comparing(MaglevBackend::identity));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).identity().equals(sorted.get(i - 1).identity())) {
                throw new IllegalArgumentException("duplicate backend identity: " + sorted.get(i).identity());
            }
        }
        return sorted;
    }

    private static void validateSize(int size, int backendCount) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "table size " + size + " is outside " + MIN_SIZE + ".." + MAX_SIZE);
        }
        if (!Primes.isPrime(size)) {
            throw new IllegalArgumentException("table size " + size + " is not prime");
        }
        if (size <= backendCount) {
            throw new IllegalArgumentException(
                    "table size " + size + " must be greater than the number of backends (" + backendCount + ")");
        }
    }

    public int size() {
        return owners.length;
    }

    /** The backends in canonical order (sorted by identity); ownerIndex values index this list. */
    public List<MaglevBackend> backends() {
        return backends;
    }

    /** True when no backend has a weight above zero: every slot is NO_OWNER. */
    public boolean isEmpty() {
        return owners.length > 0 && owners[0] == NO_OWNER;
    }

    /** Index into backends() of the slot's owner, or NO_OWNER (-1) when the table is empty. */
    public int ownerIndex(int slot) {
        return owners[slot];
    }

    /** How many slots each backend (by index into backends()) owns. */
    public int[] slotsOwnedCount() {
        int[] counts = new int[backends.size()];
        for (int owner : owners) {
            if (owner != NO_OWNER) {
                counts[owner]++;
            }
        }
        return counts;
    }

    /**
     * The backend id of every slot, for the BPF map: idOf is called once per backend.
     * An empty table has no ids to give; check isEmpty() first.
     */
    public int[] toSlots(ToIntFunction<MaglevBackend> idOf) {
        if (isEmpty()) {
            throw new IllegalStateException("the table is empty (no backend has a weight above zero)");
        }
        int[] idByIndex = new int[backends.size()];
        for (int i = 0; i < idByIndex.length; i++) {
            idByIndex[i] = idOf.applyAsInt(backends.get(i));
        }
        int[] slots = new int[owners.length];
        for (int s = 0; s < owners.length; s++) {
            slots[s] = idByIndex[owners[s]];
        }
        return slots;
    }

    /**
     * A 64-bit digest of the contents (size, then each slot's owner by identity hash):
     * equal on two hosts exactly when they would send every flow to the same identity.
     * Costs one pass over the table.
     */
    public long fingerprint() {
        SipHash24.WordStream stream = FINGERPRINT_HASH.wordStream().add(owners.length);
        for (int owner : owners) {
            stream.add(owner == NO_OWNER ? 0L : identityHashes[owner]);
        }
        return stream.finish();
    }

    @Override
    public String toString() {
        return "MaglevTable[size=" + owners.length + ", backends=" + backends.size()
                + ", owned=" + Arrays.toString(slotsOwnedCount()) + "]";
    }
}
