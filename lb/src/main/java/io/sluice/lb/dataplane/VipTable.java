package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.UpdateFlags;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code vips} array as a table of VIPs (bpf-xdp/include/vip_table.h): a VIP lives in one of
 * the two buckets its hash names, in a slot whose check ties its metadata to its key. The program
 * reads it lock-free; this class is its only writer (the daemon's reconcile thread). A slot being
 * written reads as "no VIP" to the program, which is why a slot in use is never rewritten: a new VIP
 * goes into an empty slot, a removed one is zeroed, and new metadata for a VIP goes into another
 * empty slot before the old one is zeroed (meanwhile the program finds one or the other).
 */
public final class VipTable {
    private static final int HASH_SHIFT = 15;
    private static final int SECOND_SHIFT = 16;
    private static final int FLAGS_ROTATE = 16;
    private static final int FAMILY_AT = VipSlot.OFFSET_KEY + VipKey.OFFSET_FAMILY;

    private final BpfMap vips;

    public VipTable(BpfMap vips) {
        this.vips = vips;
    }

    /** vip_hash(): five multiply-xor rounds over the key's 32-bit words (host order, as the program loads them). */
    public static int hash(byte[] encodedKey) {
        ByteBuffer b = ByteBuffer.wrap(encodedKey).order(ByteOrder.nativeOrder());
        int h = DataplaneAbi.HASH_SEED;
        for (int i = 0; i < VipKey.SIZE / Integer.BYTES; i++) {
            h = (h ^ b.getInt(i * Integer.BYTES)) * DataplaneAbi.VIP_HASH_MULT;
            h ^= h >>> HASH_SHIFT;
        }
        return h;
    }

    /** The two buckets a key may live in (first, then second). */
    static int[] buckets(int hash) {
        int mask = DataplaneAbi.VIP_BUCKETS - 1;
        int first = hash & mask;
        int second = (hash >>> SECOND_SHIFT) & mask;
        if (second == first) {
            second ^= 1;
        }
        return new int[] {first, second};
    }

    static int check(int hash, VipMeta meta) {
        return hash ^ meta.vipId() ^ Integer.rotateLeft(meta.flags(), FLAGS_ROTATE);
    }

    /** Every VIP in the table, read with one batch lookup of all buckets. */
    public Map<VipKey, VipMeta> readAll() {
        byte[] indexes = new byte[vips.maxEntries() * Integer.BYTES];
        byte[] buckets = new byte[vips.maxEntries() * VipBucket.SIZE];
        int read = vips.lookupAll(indexes, buckets);
        Map<VipKey, VipMeta> result = new LinkedHashMap<>();
        for (int i = 0; i < read; i++) {
            for (int way = 0; way < DataplaneAbi.VIP_WAYS; way++) {
                int base = i * VipBucket.SIZE + way * VipSlot.SIZE;
                if (buckets[base + FAMILY_AT] != 0) {
                    result.put(VipKey.decode(Arrays.copyOfRange(buckets, base + VipSlot.OFFSET_KEY,
                            base + VipSlot.OFFSET_KEY + VipKey.SIZE)), VipMeta.decode(Arrays.copyOfRange(buckets,
                            base + VipSlot.OFFSET_META, base + VipSlot.OFFSET_META + VipMeta.SIZE)));
                }
            }
        }
        return result;
    }

    /**
     * Adds the VIP, or gives it new metadata (written to another slot, then the old one emptied).
     * IllegalStateException if both of its buckets are full (not expected below MAX_VIPS: two choices
     * of 4 ways in 1024 buckets).
     */
    /** The VIP's metadata, as the program's search finds it (whatever the check: the daemon is the only writer). */
    public Optional<VipMeta> lookup(VipKey key) {
        byte[] encodedKey = key.encode();
        return find(encodedKey, hash(encodedKey)).map(Slot::meta);
    }

    public void put(VipKey key, VipMeta meta) {
        byte[] encodedKey = key.encode();
        int hash = hash(encodedKey);
        Optional<Slot> existing = find(encodedKey, hash);
        if (existing.isPresent() && existing.get().meta().equals(meta)) {
            return;
        }
        insert(encodedKey, hash, meta, key);
        existing.ifPresent(this::clear);
    }

    private void insert(byte[] encodedKey, int hash, VipMeta meta, VipKey key) {
        for (int index : buckets(hash)) {
            byte[] bucket = readBucket(index);
            for (int way = 0; way < DataplaneAbi.VIP_WAYS; way++) {
                int base = way * VipSlot.SIZE;
                if (bucket[base + FAMILY_AT] == 0) {
                    ByteBuffer b = ByteBuffer.wrap(bucket).order(ByteOrder.nativeOrder());
                    b.putInt(base + VipSlot.OFFSET_CHECK, check(hash, meta));
                    b.put(base + VipSlot.OFFSET_META, meta.encode());
                    b.put(base + VipSlot.OFFSET_KEY, encodedKey);
                    writeBucket(index, bucket);
                    return;
                }
            }
        }
        throw new IllegalStateException("no free slot for VIP " + key + " in VIP table buckets "
                + Arrays.toString(buckets(hash)));
    }

    /** Removes the VIP if it is there. */
    public void delete(VipKey key) {
        byte[] encodedKey = key.encode();
        find(encodedKey, hash(encodedKey)).ifPresent(this::clear);
    }

    private void clear(Slot slot) {
        byte[] bucket = readBucket(slot.bucket());
        Arrays.fill(bucket, slot.way() * VipSlot.SIZE, (slot.way() + 1) * VipSlot.SIZE, (byte) 0);
        writeBucket(slot.bucket(), bucket);
    }

    private record Slot(int bucket, int way, VipMeta meta) {}

    private Optional<Slot> find(byte[] encodedKey, int hash) {
        for (int index : buckets(hash)) {
            byte[] bucket = readBucket(index);
            for (int way = 0; way < DataplaneAbi.VIP_WAYS; way++) {
                int base = way * VipSlot.SIZE;
                if (Arrays.equals(bucket, base + VipSlot.OFFSET_KEY, base + VipSlot.OFFSET_KEY + VipKey.SIZE,
                        encodedKey, 0, VipKey.SIZE)) {
                    return Optional.of(new Slot(index, way, VipMeta.decode(Arrays.copyOfRange(bucket,
                            base + VipSlot.OFFSET_META, base + VipSlot.OFFSET_META + VipMeta.SIZE))));
                }
            }
        }
        return Optional.empty();
    }

    byte[] readBucket(int index) {
        byte[] bucket = new byte[VipBucket.SIZE];
        if (!vips.lookup(Codec.u32(index), bucket)) {
            throw new IllegalStateException("VIP table bucket " + index + " unreadable in " + vips);
        }
        return bucket;
    }

    void writeBucket(int index, byte[] bucket) {
        vips.update(Codec.u32(index), bucket, UpdateFlags.ANY);
    }
}
