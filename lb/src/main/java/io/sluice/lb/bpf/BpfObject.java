package io.sluice.lb.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import jnr.ffi.Pointer;

/**
 * A BPF ELF object opened and loaded by libbpf. Configure (pin directory, map sizes)
 * between {@link #open} and {@link #load}; then take maps and programs out with
 * {@link #map} / {@link #program}, which return independent fds (close them yourself;
 * they outlive this object).
 *
 * <p>Not thread-safe: open, configure and load from one thread.
 */
public final class BpfObject implements AutoCloseable {

    /** struct bpf_insn: 8 bytes, the opcode first, the 32-bit immediate last. */
    private static final int INSN_BYTES = 8;
    private static final int INSN_IMM_OFFSET = 4;
    private static final int OPCODE_CALL = 0x85; // BPF_JMP | BPF_CALL

    private final Path file;
    private Pointer object;
    private boolean loaded;

    private BpfObject(Path file, Pointer object) {
        this.file = file;
        this.object = object;
    }

    public static BpfObject open(Path objectFile) {
        long mark = Native.log().mark();
        Pointer object = Native.libbpf().bpf_object__open_file(objectFile.toString(), null);
        if (object == null || object.address() == 0) {
            throw Native.failure(Native.lastErrno(), mark, "open BPF object", objectFile.toString());
        }
        return new BpfObject(objectFile, object);
    }

    /**
     * Before load: every map (except libbpf's internal .data/.rodata/.bss maps, which belong
     * to one object build) gets the pin path {@code dir/<map name>}. load() then reuses a
     * compatible map already pinned there (keeping its contents) or creates and pins it;
     * an incompatible pinned map fails the load.
     */
    public BpfObject pinMapsUnder(Path dir) {
        requireNotLoaded("set pin paths of");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("create pin directory " + dir, e);
        }
        for (Pointer map : maps()) {
            if (Native.libbpf().bpf_map__is_internal(map) != 0) {
                continue;
            }
            String name = Native.libbpf().bpf_map__name(map);
            Path pin = dir.resolve(name);
            long mark = Native.log().mark();
            Native.check(Native.libbpf().bpf_map__set_pin_path(map, pin.toString()), mark,
                    "set pin path " + pin + " of map", "'" + name + "' in " + file);
        }
        return this;
    }

    public BpfObject setMaxEntries(String map, int n) {
        requireNotLoaded("resize map of");
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_map__set_max_entries(findMap(map), n), mark,
                "set max_entries " + n + " of map", "'" + map + "' in " + file);
        return this;
    }

    public BpfObject load() {
        requireNotLoaded("load");
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_object__load(object), mark, "load BPF object", file.toString());
        loaded = true;
        return this;
    }

    /** A new fd for the named map of the loaded object; the caller closes it. */
    public BpfMap map(String name) {
        requireLoaded("take map from");
        int objectFd = Native.libbpf().bpf_map__fd(findMap(name));
        return BpfMap.adopt(reopenMap(objectFd, name), "map '" + name + "' of " + file);
    }

    /** A new fd for the named program of the loaded object; the caller closes it. */
    public BpfProgram program(String name) {
        requireLoaded("take program from");
        Pointer program = Native.libbpf().bpf_object__find_program_by_name(requireOpen("find program in"), name);
        if (program == null || program.address() == 0) {
            throw new BpfException("find program '" + name + "' in", file.toString(), Errors.ENOENT);
        }
        int objectFd = Native.libbpf().bpf_program__fd(program);
        String which = "program '" + name + "' of " + file;
        int programId = ObjectInfo.program(objectFd, which).id();
        long mark = Native.log().mark();
        int fd = Native.check(Native.libbpf().bpf_prog_get_fd_by_id(programId), mark, "reopen", which);
        return BpfProgram.adopt(fd, which);
    }

    /**
     * The ids of the kernel helpers the named program calls (enum bpf_func_id), read from its
     * instructions: tests use it to hold a program to a helper it must, or must not, call.
     */
    public SortedSet<Integer> helperCalls(String programName) {
        Pointer program = Native.libbpf().bpf_object__find_program_by_name(requireOpen("read program of"), programName);
        if (program == null || program.address() == 0) {
            throw new BpfException("find program '" + programName + "' in", file.toString(), Errors.ENOENT);
        }
        Pointer insns = Native.libbpf().bpf_program__insns(program);
        long count = Native.libbpf().bpf_program__insn_cnt(program);
        SortedSet<Integer> helpers = new TreeSet<>();
        for (long i = 0; i < count; i++) {
            long at = i * INSN_BYTES;
            boolean call = (insns.getByte(at) & 0xff) == OPCODE_CALL;
            // src_reg (the high nibble of byte 1) 0 marks a helper; 1 is a BPF-to-BPF call, 2 a kfunc.
            if (call && (insns.getByte(at + 1) & 0xf0) == 0) {
                helpers.add(insns.getInt(at + INSN_IMM_OFFSET));
            }
        }
        return helpers;
    }

    /** Every map of the object, libbpf's internal ones (e.g. {@code <obj>.rodata}) included. */
    public List<String> mapNames() {
        List<String> names = new ArrayList<>();
        for (Pointer map : maps()) {
            names.add(Native.libbpf().bpf_map__name(map));
        }
        return names;
    }

    public List<String> programNames() {
        Pointer objectPointer = requireOpen("list programs of");
        List<String> names = new ArrayList<>();
        Pointer program = Native.libbpf().bpf_object__next_program(objectPointer, null);
        while (program != null && program.address() != 0) {
            names.add(Native.libbpf().bpf_program__name(program));
            program = Native.libbpf().bpf_object__next_program(objectPointer, program);
        }
        return names;
    }

    public Path file() {
        return file;
    }

    /** bpf_object__close: unloads what nothing else holds; pinned maps, fds taken out and links stay. */
    @Override
    public void close() {
        if (object != null) {
            Native.libbpf().bpf_object__close(object);
            object = null;
        }
    }

    private List<Pointer> maps() {
        Pointer objectPointer = requireOpen("list maps of");
        List<Pointer> maps = new ArrayList<>();
        Pointer map = Native.libbpf().bpf_object__next_map(objectPointer, null);
        while (map != null && map.address() != 0) {
            maps.add(map);
            map = Native.libbpf().bpf_object__next_map(objectPointer, map);
        }
        return maps;
    }

    private Pointer findMap(String name) {
        Pointer map = Native.libbpf().bpf_object__find_map_by_name(requireOpen("find map in"), name);
        if (map == null || map.address() == 0) {
            throw new BpfException("find map '" + name + "' in", file + " (maps: " + mapNames() + ")",
                    Errors.ENOENT);
        }
        return map;
    }

    /** The object keeps its own fd; ours is a second one on the same map, by id. */
    private int reopenMap(int objectFd, String name) {
        String which = "map '" + name + "' of " + file;
        int mapId = ObjectInfo.map(objectFd, which).id();
        long mark = Native.log().mark();
        return Native.check(Native.libbpf().bpf_map_get_fd_by_id(mapId), mark, "reopen", which);
    }

    private Pointer requireOpen(String what) {
        if (object == null) {
            throw new IllegalStateException("cannot " + what + " " + file + ": object closed");
        }
        return object;
    }

    private void requireNotLoaded(String what) {
        requireOpen(what);
        if (loaded) {
            throw new IllegalStateException("cannot " + what + " " + file + ": already loaded");
        }
    }

    private void requireLoaded(String what) {
        requireOpen(what);
        if (!loaded) {
            throw new IllegalStateException("cannot " + what + " " + file + ": not loaded yet");
        }
    }
}
