package io.sluice.lb.bpf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BPF map held by its own file descriptor, whether it came from a loaded object,
 * a pin or {@link #create}. Keys and values are raw bytes in the kernel's layout;
 * the dataplane package encodes them.
 *
 * <p>Per-CPU maps: user space reads and writes one value per possible CPU. This class
 * takes and returns them packed ({@code valueSize * possibleCpus()} bytes); the kernel
 * wants each CPU's slot rounded up to 8 bytes, and the repacking is done here.
 *
 * <p>Thread-safety: each call is one bpf(2) syscall and atomic per element, so calls
 * from several threads are safe; {@link #close} must not race with other calls
 * (the daemon does all writes from one thread and closes on shutdown).
 */
public final class BpfMap implements AutoCloseable {

    /** BPF_F_INNER_MAP: an inner map whose max_entries may differ from the outer map's template. */
    public static final int F_INNER_MAP = 1 << 12;
    /** BPF_F_NO_PREALLOC: hash maps allocate entries on demand. */
    public static final int F_NO_PREALLOC = 1;

    private static final Logger LOG = LoggerFactory.getLogger(BpfMap.class);
    /** The kernel copies per-CPU values in slots of round_up(value_size, 8) bytes. */
    private static final int PER_CPU_SLOT_ALIGNMENT = 8;

    /*
     * struct bpf_map_create_opts { size_t sz; __u32 btf_fd; __u32 btf_key_type_id; __u32 btf_value_type_id;
     *     __u32 btf_vmlinux_value_type_id; __u32 inner_map_fd; __u32 map_flags; __u64 map_extra;
     *     __u32 numa_node; __u32 map_ifindex; };
     */
    static final int CREATE_OPTS_SIZE = 48;
    static final int CREATE_OPTS_SZ = 0;
    static final int CREATE_OPTS_INNER_MAP_FD = 24;
    static final int CREATE_OPTS_MAP_FLAGS = 28;

    /* struct bpf_map_batch_opts { size_t sz; __u64 elem_flags; __u64 flags; }; */
    static final int BATCH_OPTS_SIZE = 24;
    static final int BATCH_OPTS_SZ = 0;

    private static final AtomicBoolean BATCH_FALLBACK_LOGGED = new AtomicBoolean();
    private static final int POSSIBLE_CPUS = countPossibleCpus();

    private final int id;
    private final String name;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int mapFlags;
    private final OwnedFd owned;

    private BpfMap(int fd, String which) {
        ObjectInfo.MapInfo info;
        try {
            info = ObjectInfo.map(fd, which);
        } catch (RuntimeException e) {
            Native.closeFd(fd);
            throw e;
        }
        this.owned = new OwnedFd(fd);
        this.id = info.id();
        this.name = info.name();
        this.type = info.type();
        this.keySize = info.keySize();
        this.valueSize = info.valueSize();
        this.maxEntries = info.maxEntries();
        this.mapFlags = info.flags();
    }

    /** Takes ownership of {@code fd}. */
    static BpfMap adopt(int fd, String which) {
        return new BpfMap(fd, which);
    }

    public static BpfMap openPinned(Path path) {
        long mark = Native.log().mark();
        int fd = Native.check(Native.libbpf().bpf_obj_get(path.toString()), mark, "open pinned map", path.toString());
        return new BpfMap(fd, path.toString());
    }

    /**
     * bpf_map_create. {@code mapFlags} are BPF_F_* flags, e.g. {@link #F_INNER_MAP} for an inner map.
     * Outer maps (ARRAY_OF_MAPS / HASH_OF_MAPS) need a template: use {@link #createMapInMap}.
     */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries, int mapFlags) {
        return create(type, name, keySize, valueSize, maxEntries, mapFlags, -1);
    }

    /** An outer map (ARRAY_OF_MAPS / HASH_OF_MAPS) whose inner maps must be compatible with {@code innerTemplate}. */
    public static BpfMap createMapInMap(MapType type, String name, int keySize, int maxEntries, BpfMap innerTemplate) {
        return create(type, name, keySize, Integer.BYTES, maxEntries, 0, innerTemplate.fd());
    }

    private static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries,
                                 int mapFlags, int innerMapFd) {
        Pointer opts = Native.allocate(CREATE_OPTS_SIZE);
        opts.putLong(CREATE_OPTS_SZ, CREATE_OPTS_SIZE);
        opts.putInt(CREATE_OPTS_MAP_FLAGS, mapFlags);
        if (innerMapFd >= 0) {
            opts.putInt(CREATE_OPTS_INNER_MAP_FD, innerMapFd);
        }
        String which = "'" + name + "' (" + type + ")";
        long mark = Native.log().mark();
        int fd = Native.check(
                Native.libbpf().bpf_map_create(type.kernelValue(), name, keySize, valueSize, maxEntries, opts),
                mark, "create map", which);
        return new BpfMap(fd, which);
    }

    /** bpf_map_get_fd_by_id: a new fd for a map known by id (e.g. an inner map read from a map-in-map). */
    public static BpfMap fromId(int mapId) {
        long mark = Native.log().mark();
        String which = "id " + mapId;
        int fd = Native.check(Native.libbpf().bpf_map_get_fd_by_id(mapId), mark, "open map by", which);
        return new BpfMap(fd, which);
    }

    public int fd() {
        return liveFd("use");
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public MapType type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int mapFlags() {
        return mapFlags;
    }

    public boolean isPerCpu() {
        return type.isPerCpu();
    }

    /** libbpf_num_possible_cpus: the number of value slots of a per-CPU map. */
    public static int possibleCpus() {
        return POSSIBLE_CPUS;
    }

    /** The bytes a value occupies on the Java side: valueSize, times possibleCpus() for per-CPU maps. */
    public int userValueSize() {
        return isPerCpu() ? valueSize * POSSIBLE_CPUS : valueSize;
    }

    /** Fills {@code valueOut}; false if the key is absent. */
    public boolean lookup(byte[] key, byte[] valueOut) {
        checkKey(key, "lookup in");
        checkValue(valueOut, 1, "lookup in");
        byte[] kernelValue = needsRepacking() ? new byte[kernelValueSize()] : valueOut;
        long mark = Native.log().mark();
        int result = Native.libbpf().bpf_map_lookup_elem(liveFd("lookup in"), key, kernelValue);
        if (result == -Errors.ENOENT) {
            return false;
        }
        Native.check(result, mark, "lookup in", describe());
        if (kernelValue != valueOut) {
            unpack(kernelValue, valueOut, 1);
        }
        return true;
    }

    public void update(byte[] key, byte[] value, UpdateFlags flags) {
        checkKey(key, "update");
        checkValue(value, 1, "update");
        byte[] kernelValue = needsRepacking() ? pack(value, 1) : value;
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_map_update_elem(liveFd("update"), key, kernelValue, flags.kernelValue()),
                mark, "update", describe());
    }

    /** False if the key was absent. */
    public boolean delete(byte[] key) {
        checkKey(key, "delete from");
        long mark = Native.log().mark();
        int result = Native.libbpf().bpf_map_delete_elem(liveFd("delete from"), key);
        if (result == -Errors.ENOENT) {
            return false;
        }
        Native.check(result, mark, "delete from", describe());
        return true;
    }

    /**
     * Writes {@code count} entries in one bpf_map_update_batch (BPF_ANY). Maps or kernels without
     * batch support get one update per entry instead (logged once per process). Not atomic either way.
     */
    public void updateBatch(byte[] keys, byte[] values, int count) {
        if (count < 0 || keys.length != count * keySize) {
            throw new IllegalArgumentException("batch of " + count + " keys of " + keySize + " bytes needs "
                    + (count * keySize) + " bytes, got " + keys.length + " for " + describe());
        }
        checkValue(values, count, "batch update");
        if (count == 0) {
            return;
        }
        byte[] kernelValues = needsRepacking() ? pack(values, count) : values;
        Pointer opts = Native.allocate(BATCH_OPTS_SIZE);
        opts.putLong(BATCH_OPTS_SZ, BATCH_OPTS_SIZE);
        IntByReference processed = new IntByReference(count);
        long mark = Native.log().mark();
        int result = Native.libbpf().bpf_map_update_batch(liveFd("batch update"), keys, kernelValues, processed, opts);
        if (result < 0 && Errors.isNotSupported(-result)) {
            if (BATCH_FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.info("batch update not supported for {} ({}); updating one entry at a time",
                        describe(), Errors.describe(-result));
            }
            updateOneByOne(keys, values, count);
            return;
        }
        Native.check(result, mark, "batch update (" + processed.getValue() + " of " + count + " done)", describe());
    }

    /**
     * The u64 counter at {@code index} of a per-CPU array of u64 values (reasons,
     * decap_stats), summed over CPUs; 0 for an index the map does not hold.
     */
    public long sumPerCpuCounter(int index) {
        requirePerCpuCounters("sumPerCpuCounter");
        byte[] value = new byte[userValueSize()];
        byte[] key = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(index).array();
        if (index < 0 || index >= maxEntries || !lookup(key, value)) {
            return 0;
        }
        ByteBuffer perCpu = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        long sum = 0;
        for (int offset = 0; offset < value.length; offset += Long.BYTES) {
            sum += perCpu.getLong(offset);
        }
        return sum;
    }

    /**
     * Every counter of a per-CPU array of u64 values, each summed over CPUs, indexed by key: the
     * whole array in one batch syscall, where {@link #sumPerCpuCounter} takes one per counter (the
     * status read all 25 reasons one by one, twice a second).
     */
    public long[] sumPerCpuCounters() {
        requirePerCpuCounters("sumPerCpuCounters");
        long[] sums = new long[maxEntries];
        scan(Math.max(1, maxEntries), (keys, values, count) -> {
            ByteBuffer k = ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder());
            ByteBuffer v = ByteBuffer.wrap(values).order(ByteOrder.nativeOrder());
            for (int entry = 0; entry < count; entry++) {
                long sum = 0;
                for (int cpu = 0; cpu < POSSIBLE_CPUS; cpu++) {
                    sum += v.getLong((entry * POSSIBLE_CPUS + cpu) * Long.BYTES);
                }
                sums[k.getInt(entry * Integer.BYTES)] = sum;
            }
        });
        return sums;
    }

    private void requirePerCpuCounters(String what) {
        if (!isPerCpu() || valueSize != Long.BYTES || keySize != Integer.BYTES) {
            throw new UnsupportedOperationException(what + " needs a per-CPU array of u64: " + describe());
        }
    }

    /**
     * Reads every entry with bpf_map_lookup_batch: a handful of syscalls instead of one per entry
     * (a 65537-slot Maglev table is one call, not 65537). Per-CPU values, see {@link #scan}.
     * Returns the number of entries read; {@code keysOut} and {@code valuesOut} must have room for
     * maxEntries entries.
     * Kernels or maps without batch support fall back to iterating one key at a time.
     */
    public int lookupAll(byte[] keysOut, byte[] valuesOut) {
        int valueStride = userValueSize();
        if (keysOut.length < maxEntries * keySize || valuesOut.length < maxEntries * valueStride) {
            throw new IllegalArgumentException("lookupAll of " + describe() + " needs room for " + maxEntries
                    + " entries");
        }
        int[] total = {0};
        scan(Math.max(1, maxEntries), (keys, values, count) -> {
            int room = Math.min(count, maxEntries - total[0]); // a hash map that grew between two batches
            System.arraycopy(keys, 0, keysOut, total[0] * keySize, room * keySize);
            System.arraycopy(values, 0, valuesOut, total[0] * valueStride, room * valueStride);
            total[0] += room;
        });
        return total[0];
    }

    /**
     * What {@link #scan} hands over: {@code count} entries, packed (a per-CPU map's value is
     * {@link #userValueSize} bytes, CPU after CPU); the arrays are reused by the next call.
     */
    @FunctionalInterface
    public interface BatchVisitor {
        void visit(byte[] keys, byte[] values, int count);
    }

    /**
     * Visits every entry, up to {@code chunkEntries} at a time, with bpf_map_lookup_batch: one
     * syscall per chunk and buffers the size of one chunk, reused (reading a 26 MB flow table is
     * a few dozen calls and no 26 MB copy). Per-CPU maps only with values of a multiple of 8 bytes
     * (the kernel's per-CPU stride; other sizes would need repacking). For a hash map, a chunk must
     * hold the largest hash bucket (the kernel answers ENOSPC otherwise, reported as an error).
     * Kernels or maps without batch support fall back to one lookup per key, in chunks alike.
     */
    public void scan(int chunkEntries, BatchVisitor visitor) {
        scanBatches(-1, Integer.MAX_VALUE, chunkEntries, visitor);
    }

    /**
     * {@link #scan} of the entries {@code first .. first + count - 1} of an array or per-CPU array
     * (an array's batch position is its key: the batch starts after key {@code first - 1}). Without
     * the one-by-one fallback: a kernel without batch lookups on arrays (before 5.6) is an error here.
     */
    public void scanRange(int first, int count, int chunkEntries, BatchVisitor visitor) {
        if (type != MapType.ARRAY && type != MapType.PERCPU_ARRAY) {
            throw new UnsupportedOperationException("a ranged scan needs an array, not " + describe());
        }
        if (first < 0 || count < 0 || (long) first + count > maxEntries) {
            throw new IllegalArgumentException("entries " + first + " .. " + ((long) first + count - 1)
                    + " are not all in " + describe());
        }
        if (count > 0) {
            scanBatches(first - 1, count, chunkEntries, visitor);
        }
    }

    /** Batches after key {@code after} (-1: from the start), {@code limit} entries at most. */
    private void scanBatches(int after, int limit, int chunkEntries, BatchVisitor visitor) {
        if (needsRepacking()) {
            throw new UnsupportedOperationException(
                    "batch lookup of per-CPU values that are not a multiple of 8 bytes: " + describe());
        }
        if (chunkEntries < 1) {
            throw new IllegalArgumentException("a scan of " + describe() + " needs chunks of at least one entry");
        }
        int chunk = Math.min(Math.min(chunkEntries, limit), Math.max(1, maxEntries));
        byte[] keysOut = new byte[chunk * keySize];
        int valueStride = userValueSize();
        byte[] valuesOut = new byte[chunk * valueStride];
        // The batch token is opaque to callers: the kernel uses a u32 position for arrays and hashes.
        int tokenBytes = Math.max(keySize, Long.BYTES);
        Pointer inBatch = Native.allocate(tokenBytes);
        Pointer outBatch = Native.allocate(tokenBytes);
        Pointer keys = Native.allocate(keysOut.length);
        Pointer values = Native.allocate(valuesOut.length);
        Pointer opts = Native.allocate(BATCH_OPTS_SIZE);
        opts.putLong(BATCH_OPTS_SZ, BATCH_OPTS_SIZE);
        boolean first = after < 0;
        if (!first) {
            inBatch.putInt(0, after);
        }
        int remaining = limit;
        while (remaining > 0) {
            IntByReference count = new IntByReference(Math.min(chunk, remaining));
            long mark = Native.log().mark();
            int result = Native.libbpf().bpf_map_lookup_batch(liveFd("batch lookup"), first ? null : inBatch,
                    outBatch, keys, values, count, opts);
            if (result < 0 && Errors.isNotSupported(-result) && first) { // true only for a whole-map scan
                scanOneByOne(keysOut, valuesOut, chunk, visitor);
                return;
            }
            if (result < 0 && -result != Errors.ENOENT) {
                Native.check(result, mark, "batch lookup", describe());
            }
            int read = count.getValue();
            if (read > 0) {
                keys.get(0, keysOut, 0, read * keySize);
                values.get(0, valuesOut, 0, read * valueStride);
                visitor.visit(keysOut, valuesOut, read);
            }
            if (result < 0 || read == 0) { // ENOENT: the last batch has been returned
                return;
            }
            remaining -= read;
            inBatch.transferFrom(0, outBatch, 0, tokenBytes);
            first = false;
        }
    }

    private void scanOneByOne(byte[] keysOut, byte[] valuesOut, int chunk, BatchVisitor visitor) {
        int valueStride = userValueSize();
        byte[] key = new byte[keySize];
        byte[] value = new byte[valueStride];
        byte[] previous = null;
        int n = 0;
        while (nextKey(previous, key)) {
            if (lookup(key, value)) {
                System.arraycopy(key, 0, keysOut, n * keySize, keySize);
                System.arraycopy(value, 0, valuesOut, n * valueStride, valueStride);
                if (++n == chunk) {
                    visitor.visit(keysOut, valuesOut, n);
                    n = 0;
                }
            }
            previous = key.clone();
        }
        if (n > 0) {
            visitor.visit(keysOut, valuesOut, n);
        }
    }

    private void updateOneByOne(byte[] keys, byte[] values, int count) {
        int valueStride = userValueSize();
        byte[] key = new byte[keySize];
        byte[] value = new byte[valueStride];
        for (int i = 0; i < count; i++) {
            System.arraycopy(keys, i * keySize, key, 0, keySize);
            System.arraycopy(values, i * valueStride, value, 0, valueStride);
            update(key, value, UpdateFlags.ANY);
        }
    }

    /** bpf_map_get_next_key: the first key when {@code keyOrNull} is null; false at the end. */
    public boolean nextKey(byte[] keyOrNull, byte[] nextOut) {
        if (keyOrNull != null) {
            checkKey(keyOrNull, "iterate");
        }
        checkKey(nextOut, "iterate");
        long mark = Native.log().mark();
        int result = Native.libbpf().bpf_map_get_next_key(liveFd("iterate"), keyOrNull, nextOut);
        if (result == -Errors.ENOENT) {
            return false;
        }
        Native.check(result, mark, "iterate", describe());
        return true;
    }

    public void pin(Path path) {
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_obj_pin(liveFd("pin"), path.toString()), mark,
                "pin " + describe() + " at", path.toString());
    }

    /** Removes a pin (map, program or link). The object lives on while anything else holds it. No-op if absent. */
    public static void unpin(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("unpin " + path, e);
        }
    }

    /** Closes this fd only; pinned maps and maps referenced by programs stay. Idempotent. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    String describe() {
        return "map '" + name + "' (" + type + ", id " + id + ")";
    }

    private int liveFd(String what) {
        return owned.live(what, describe());
    }

    private void checkKey(byte[] key, String what) {
        if (key.length != keySize) {
            throw new IllegalArgumentException(what + " " + describe() + ": key of " + key.length
                    + " bytes, map wants " + keySize);
        }
    }

    private void checkValue(byte[] value, int count, String what) {
        int expected = userValueSize() * count;
        if (value.length != expected) {
            throw new IllegalArgumentException(what + " " + describe() + ": " + value.length
                    + " value bytes, expected " + expected
                    + (isPerCpu() ? " (" + valueSize + " x " + POSSIBLE_CPUS + " CPUs per entry)" : ""));
        }
    }

    private boolean needsRepacking() {
        return isPerCpu() && perCpuSlot() != valueSize;
    }

    private int perCpuSlot() {
        return (valueSize + PER_CPU_SLOT_ALIGNMENT - 1) / PER_CPU_SLOT_ALIGNMENT * PER_CPU_SLOT_ALIGNMENT;
    }

    private int kernelValueSize() {
        return perCpuSlot() * POSSIBLE_CPUS;
    }

    private byte[] pack(byte[] packed, int count) {
        byte[] kernel = new byte[kernelValueSize() * count];
        for (int slot = 0; slot < count * POSSIBLE_CPUS; slot++) {
            System.arraycopy(packed, slot * valueSize, kernel, slot * perCpuSlot(), valueSize);
        }
        return kernel;
    }

    private void unpack(byte[] kernel, byte[] packed, int count) {
        for (int slot = 0; slot < count * POSSIBLE_CPUS; slot++) {
            System.arraycopy(kernel, slot * perCpuSlot(), packed, slot * valueSize, valueSize);
        }
    }

    private static int countPossibleCpus() {
        int cpus = Native.libbpf().libbpf_num_possible_cpus();
        if (cpus <= 0) {
            throw new BpfException("count possible CPUs", "(/sys/devices/system/cpu/possible)", -cpus);
        }
        return cpus;
    }
}
