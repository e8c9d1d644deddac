package io.sluice.lb.bpf;

import jnr.ffi.LastError;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A BPF array created with BPF_F_MMAPABLE, mapped into this process: its entries are read and
 * written as memory, without a syscall or a copy per access. Entry {@code i} starts at byte
 * {@code i * stride()} (the kernel lays array values out at their size rounded up to 8 bytes).
 *
 * <p>The data plane reads and writes the same memory without a lock, as it does while a syscall
 * copies an array value out or in: a value read here may be half written by a program, and one
 * written here may be read half written. Callers check what they read (the flow cache's slot check).
 *
 * <p>Ownership: the mapping holds its own reference to the map (closing the map's fd does not
 * unmap it); {@link #close} unmaps it, after which every access is an IllegalStateException rather
 * than a read of unmapped memory. Not thread-safe: one thread uses and closes it.
 */
public final class MappedArray implements AutoCloseable {

    /** BPF_F_MMAPABLE. */
    public static final int F_MMAPABLE = 1 << 10;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_SHARED = 0x1;
    private static final long MAP_FAILED = -1L;
    /** The kernel's array element alignment (round_up(value_size, 8)). */
    private static final int ELEMENT_ALIGNMENT = 8;

    private final String which;
    private final int entries;
    private final int valueSize;
    private final int stride;
    private final long length;
    private Pointer memory;

    private MappedArray(String which, Pointer memory, int entries, int valueSize, int stride, long length) {
        this.which = which;
        this.memory = memory;
        this.entries = entries;
        this.valueSize = valueSize;
        this.stride = stride;
        this.length = length;
    }

    /** Maps every entry of {@code map}, read-write; IllegalStateException if it is no mmapable array. */
    public static MappedArray map(BpfMap map) {
        if (map.type() != MapType.ARRAY || (map.mapFlags() & F_MMAPABLE) == 0) {
            throw new IllegalStateException(map.describe() + " is not an mmapable array (BPF_F_MMAPABLE): it"
                    + " cannot be mapped into memory");
        }
        int stride = (map.valueSize() + ELEMENT_ALIGNMENT - 1) / ELEMENT_ALIGNMENT * ELEMENT_ALIGNMENT;
        long length = (long) map.maxEntries() * stride;
        LibC.Api libc = Native.libc();
        Pointer memory = libc.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, map.fd(), 0);
        if (memory == null || memory.address() == MAP_FAILED) {
            throw new BpfException("mmap", map.describe(), LastError.getLastError(Runtime.getRuntime(libc)));
        }
        return new MappedArray(map.describe(), memory, map.maxEntries(), map.valueSize(), stride, length);
    }

    public int entries() {
        return entries;
    }

    public int valueSize() {
        return valueSize;
    }

    /** Bytes from one entry's start to the next's. */
    public int stride() {
        return stride;
    }

    public byte getByte(int index, int offset) {
        return live().getByte(at(index, offset, Byte.BYTES));
    }

    public short getShort(int index, int offset) {
        return live().getShort(at(index, offset, Short.BYTES));
    }

    public int getInt(int index, int offset) {
        return live().getInt(at(index, offset, Integer.BYTES));
    }

    /** Whether every byte of entry {@code index}'s value is zero. */
    public boolean isZero(int index) {
        Pointer m = live();
        long base = at(index, 0, valueSize);
        int words = valueSize / Long.BYTES;
        for (int i = 0; i < words; i++) {
            if (m.getLong(base + (long) i * Long.BYTES) != 0) {
                return false;
            }
        }
        for (int i = words * Long.BYTES; i < valueSize; i++) {
            if (m.getByte(base + i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Copies entry {@code index}'s value into {@code out} (at least {@link #valueSize()} bytes). */
    public void read(int index, byte[] out) {
        checkBuffer(out);
        live().get(at(index, 0, valueSize), out, 0, valueSize);
    }

    /** Overwrites entry {@code index}'s value with the first {@link #valueSize()} bytes of {@code value}. */
    public void write(int index, byte[] value) {
        checkBuffer(value);
        live().put(at(index, 0, valueSize), value, 0, valueSize);
    }

    /** Zeroes entry {@code index}'s value. */
    public void clear(int index) {
        live().setMemory(at(index, 0, valueSize), valueSize, (byte) 0);
    }

    /** Unmaps; idempotent. */
    @Override
    public void close() {
        if (memory != null) {
            Pointer unmapping = memory;
            memory = null;
            Native.libc().munmap(unmapping, length);
        }
    }

    @Override
    public String toString() {
        return "mapping of " + which;
    }

    private Pointer live() {
        if (memory == null) {
            throw new IllegalStateException(this + " used after close");
        }
        return memory;
    }

    /** Byte offset of {@code offset} in entry {@code index}, checked so a bug cannot reach outside the mapping. */
    private long at(int index, int offset, int width) {
        if (index < 0 || index >= entries || offset < 0 || offset + width > valueSize) {
            throw new IndexOutOfBoundsException("bytes " + offset + ".." + (offset + width - 1) + " of entry " + index
                    + " are outside " + this + " (" + entries + " entries of " + valueSize + " bytes)");
        }
        return (long) index * stride + offset;
    }

    private void checkBuffer(byte[] buffer) {
        if (buffer.length < valueSize) {
            throw new IllegalArgumentException(buffer.length + " bytes for a " + valueSize + "-byte value of " + this);
        }
    }
}
