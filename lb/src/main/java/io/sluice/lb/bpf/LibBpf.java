package io.sluice.lb.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The raw libbpf 1.x functions sluice calls, as jnr-ffi sees them. Package-private:
 * everything outside this package goes through BpfObject / BpfMap / BpfProgram / BpfLink.
 *
 * <p>jnr-ffi implements the interface in a class of its own class loader, so the interface
 * itself must be public; nesting it in this package-private class keeps it out of the API.
 *
 * <p>libbpf 1.x convention: int functions return a negative errno on failure;
 * pointer functions return NULL and set errno.
 */
final class LibBpf {

    private LibBpf() {}

    public interface Api {

        /** libbpf_print_fn_t: int (*)(enum libbpf_print_level, const char *fmt, va_list ap). */
        interface PrintCallback {
            @Delegate
            int print(int level, Pointer format, Pointer vaList);
        }

        Pointer libbpf_set_print(PrintCallback callback);

        int libbpf_strerror(int err, @Out byte[] buf, long size);

        int libbpf_num_possible_cpus();

        // bpf_object (libbpf.h)
        Pointer bpf_object__open_file(String path, Pointer openOpts);

        int bpf_object__load(Pointer object);

        void bpf_object__close(Pointer object);

        Pointer bpf_object__find_map_by_name(Pointer object, String name);

        Pointer bpf_object__next_map(Pointer object, Pointer previous);

        Pointer bpf_object__find_program_by_name(Pointer object, String name);

        Pointer bpf_object__next_program(Pointer object, Pointer previous);

        String bpf_map__name(Pointer map);

        int bpf_map__fd(Pointer map);

        /** C bool: read as a byte so garbage in the upper bits of the return register cannot leak in. */
        byte bpf_map__is_internal(Pointer map);

        int bpf_map__set_pin_path(Pointer map, String path);

        int bpf_map__set_max_entries(Pointer map, int maxEntries);

        String bpf_program__name(Pointer program);

        int bpf_program__fd(Pointer program);

        /** The program's instructions as libbpf keeps them (relocated, subprograms appended; kept after load). */
        Pointer bpf_program__insns(Pointer program);

        long bpf_program__insn_cnt(Pointer program);

        // fd-level syscall wrappers (bpf.h)
        int bpf_map_create(int mapType, String name, int keySize, int valueSize, int maxEntries, Pointer createOpts);

        int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

        int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);

        int bpf_map_delete_elem(int fd, @In byte[] key);

        int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

        int bpf_map_update_batch(int fd, @In byte[] keys, @In byte[] values, IntByReference count, Pointer batchOpts);

        int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
                                 IntByReference count, Pointer batchOpts);

        int bpf_obj_pin(int fd, String path);

        int bpf_obj_get(String path);

        int bpf_map_get_fd_by_id(int id);

        int bpf_prog_get_fd_by_id(int id);

        int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference infoLength);

        int bpf_prog_test_run_opts(int programFd, Pointer testRunOpts);

        int bpf_link_create(int programFd, int targetFd, int attachType, Pointer linkCreateOpts);

        int bpf_link_update(int linkFd, int newProgramFd, Pointer linkUpdateOpts);

        int bpf_link_detach(int linkFd);

        int bpf_xdp_query(int ifindex, int flags, Pointer xdpQueryOpts);
    }
}
