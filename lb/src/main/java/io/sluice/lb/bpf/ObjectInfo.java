package io.sluice.lb.bpf;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Reads bpf_obj_get_info_by_fd for maps, programs and links. Offsets are those of
 * linux/bpf.h on LP64 (checked with offsetof on the build machine); the kernel accepts
 * a shorter info_len than its own struct, so only the prefix we read is requested.
 */
final class ObjectInfo {

    /*
     * struct bpf_map_info { __u32 type; __u32 id; __u32 key_size; __u32 value_size;
     *                       __u32 max_entries; __u32 map_flags; char name[16]; __u32 ifindex; ... };
     */
    static final int MAP_INFO_LENGTH = 40;
    static final int MAP_TYPE = 0;
    static final int MAP_ID = 4;
    static final int MAP_KEY_SIZE = 8;
    static final int MAP_VALUE_SIZE = 12;
    static final int MAP_MAX_ENTRIES = 16;
    static final int MAP_FLAGS = 20;
    static final int MAP_NAME = 24;

    /*
     * struct bpf_prog_info { __u32 type; __u32 id; __u8 tag[8]; __u32 jited_prog_len; __u32 xlated_prog_len;
     *                        __aligned_u64 jited_prog_insns; __aligned_u64 xlated_prog_insns; __u64 load_time;
     *                        __u32 created_by_uid; __u32 nr_map_ids; __aligned_u64 map_ids; char name[16]; ... };
     */
    static final int PROG_INFO_LENGTH = 80;
    static final int PROG_TYPE = 0;
    static final int PROG_ID = 4;
    static final int PROG_TAG = 8;
    static final int PROG_TAG_LENGTH = 8;
    static final int PROG_NAME = 64;

    /*
     * struct bpf_link_info { __u32 type; __u32 id; __u32 prog_id;
     *                        union { ... struct { __u32 ifindex; } xdp; ... } (8-byte aligned, at 16); };
     */
    static final int LINK_INFO_LENGTH = 48;
    static final int LINK_TYPE = 0;
    static final int LINK_ID = 4;
    static final int LINK_PROG_ID = 8;
    static final int LINK_XDP_IFINDEX = 16;
    static final int LINK_TYPE_XDP = 6;

    static final int OBJ_NAME_LENGTH = 16;

    record MapInfo(MapType type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {}

    /** @param tag the kernel's hash of the program's instructions (map references masked), hex */
    record ProgramInfo(int type, int id, String tag, String name) {}

    private ObjectInfo() {}

    static MapInfo map(int fd, String which) {
        Pointer info = read(fd, MAP_INFO_LENGTH, "read map info of", which);
        return new MapInfo(MapType.of(info.getInt(MAP_TYPE)), info.getInt(MAP_ID), info.getInt(MAP_KEY_SIZE),
                info.getInt(MAP_VALUE_SIZE), info.getInt(MAP_MAX_ENTRIES), info.getInt(MAP_FLAGS),
                name(info, MAP_NAME));
    }

    static ProgramInfo program(int fd, String which) {
        Pointer info = read(fd, PROG_INFO_LENGTH, "read program info of", which);
        byte[] tag = new byte[PROG_TAG_LENGTH];
        info.get(PROG_TAG, tag, 0, PROG_TAG_LENGTH);
        return new ProgramInfo(info.getInt(PROG_TYPE), info.getInt(PROG_ID), java.util.HexFormat.of().formatHex(tag),
                name(info, PROG_NAME));
    }

    static LinkInfo link(int fd, String which) {
        Pointer info = read(fd, LINK_INFO_LENGTH, "read link info of", which);
        int ifindex = info.getInt(LINK_TYPE) == LINK_TYPE_XDP ? info.getInt(LINK_XDP_IFINDEX) : 0;
        return new LinkInfo(info.getInt(LINK_ID), info.getInt(LINK_PROG_ID), ifindex);
    }

    private static Pointer read(int fd, int length, String what, String which) {
        Pointer info = Native.allocate(length);
        IntByReference infoLength = new IntByReference(length);
        long mark = Native.log().mark();
        Native.check(Native.libbpf().bpf_obj_get_info_by_fd(fd, info, infoLength), mark, what, which);
        return info;
    }

    private static String name(Pointer info, int offset) {
        byte[] raw = new byte[OBJ_NAME_LENGTH];
        info.get(offset, raw, 0, raw.length);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }
}
