package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding writes libbpf's opts structs and reads the kernel's info structs as raw memory
 * at hand-written offsets. This compiles a C program against the installed libbpf and kernel
 * headers and checks every offset and size constant against offsetof / sizeof.
 */
class LibbpfStructLayoutTest {

    /** Java constant -> the C expression it must equal. */
    private static final Map<String, Integer> JAVA = new LinkedHashMap<>();
    private static final Map<String, String> C = new LinkedHashMap<>();

    static {
        expect("CREATE_OPTS_SIZE", BpfMap.CREATE_OPTS_SIZE, "sizeof(struct bpf_map_create_opts)");
        expect("CREATE_OPTS_SZ", BpfMap.CREATE_OPTS_SZ, "offsetof(struct bpf_map_create_opts, sz)");
        expect("CREATE_OPTS_INNER_MAP_FD", BpfMap.CREATE_OPTS_INNER_MAP_FD,
                "offsetof(struct bpf_map_create_opts, inner_map_fd)");
        expect("CREATE_OPTS_MAP_FLAGS", BpfMap.CREATE_OPTS_MAP_FLAGS, "offsetof(struct bpf_map_create_opts, map_flags)");
        expect("BATCH_OPTS_SIZE", BpfMap.BATCH_OPTS_SIZE, "sizeof(struct bpf_map_batch_opts)");
        expect("TEST_RUN_OPTS_SIZE", BpfProgram.TEST_RUN_OPTS_SIZE, "sizeof(struct bpf_test_run_opts)");
        expect("TEST_RUN_DATA_IN", BpfProgram.TEST_RUN_DATA_IN, "offsetof(struct bpf_test_run_opts, data_in)");
        expect("TEST_RUN_DATA_OUT", BpfProgram.TEST_RUN_DATA_OUT, "offsetof(struct bpf_test_run_opts, data_out)");
        expect("TEST_RUN_DATA_SIZE_IN", BpfProgram.TEST_RUN_DATA_SIZE_IN,
                "offsetof(struct bpf_test_run_opts, data_size_in)");
        expect("TEST_RUN_DATA_SIZE_OUT", BpfProgram.TEST_RUN_DATA_SIZE_OUT,
                "offsetof(struct bpf_test_run_opts, data_size_out)");
        expect("TEST_RUN_RETVAL", BpfProgram.TEST_RUN_RETVAL, "offsetof(struct bpf_test_run_opts, retval)");
        expect("TEST_RUN_REPEAT", BpfProgram.TEST_RUN_REPEAT, "offsetof(struct bpf_test_run_opts, repeat)");
        expect("TEST_RUN_DURATION", BpfProgram.TEST_RUN_DURATION, "offsetof(struct bpf_test_run_opts, duration)");
        expect("LINK_CREATE_OPTS_SIZE", BpfLink.LINK_CREATE_OPTS_SIZE, "sizeof(struct bpf_link_create_opts)");
        expect("LINK_CREATE_FLAGS", BpfLink.LINK_CREATE_FLAGS, "offsetof(struct bpf_link_create_opts, flags)");
        expect("XDP_QUERY_OPTS_SIZE", BpfLink.XDP_QUERY_OPTS_SIZE, "sizeof(struct bpf_xdp_query_opts)");
        expect("XDP_QUERY_DRV_PROG_ID", BpfLink.XDP_QUERY_DRV_PROG_ID,
                "offsetof(struct bpf_xdp_query_opts, drv_prog_id)");
        expect("XDP_QUERY_HW_PROG_ID", BpfLink.XDP_QUERY_HW_PROG_ID, "offsetof(struct bpf_xdp_query_opts, hw_prog_id)");
        expect("XDP_QUERY_SKB_PROG_ID", BpfLink.XDP_QUERY_SKB_PROG_ID,
                "offsetof(struct bpf_xdp_query_opts, skb_prog_id)");
        expect("XDP_QUERY_ATTACH_MODE", BpfLink.XDP_QUERY_ATTACH_MODE,
                "offsetof(struct bpf_xdp_query_opts, attach_mode)");
        expect("MAP_TYPE", ObjectInfo.MAP_TYPE, "offsetof(struct bpf_map_info, type)");
        expect("MAP_ID", ObjectInfo.MAP_ID, "offsetof(struct bpf_map_info, id)");
        expect("MAP_KEY_SIZE", ObjectInfo.MAP_KEY_SIZE, "offsetof(struct bpf_map_info, key_size)");
        expect("MAP_VALUE_SIZE", ObjectInfo.MAP_VALUE_SIZE, "offsetof(struct bpf_map_info, value_size)");
        expect("MAP_MAX_ENTRIES", ObjectInfo.MAP_MAX_ENTRIES, "offsetof(struct bpf_map_info, max_entries)");
        expect("MAP_FLAGS", ObjectInfo.MAP_FLAGS, "offsetof(struct bpf_map_info, map_flags)");
        expect("MAP_NAME", ObjectInfo.MAP_NAME, "offsetof(struct bpf_map_info, name)");
        expect("MAP_NAME_END", ObjectInfo.MAP_INFO_LENGTH, "offsetof(struct bpf_map_info, ifindex)");
        expect("PROG_TYPE", ObjectInfo.PROG_TYPE, "offsetof(struct bpf_prog_info, type)");
        expect("PROG_ID", ObjectInfo.PROG_ID, "offsetof(struct bpf_prog_info, id)");
        expect("PROG_NAME", ObjectInfo.PROG_NAME, "offsetof(struct bpf_prog_info, name)");
        expect("PROG_NAME_END", ObjectInfo.PROG_INFO_LENGTH, "offsetof(struct bpf_prog_info, name) + BPF_OBJ_NAME_LEN");
        expect("OBJ_NAME_LENGTH", ObjectInfo.OBJ_NAME_LENGTH, "BPF_OBJ_NAME_LEN");
        expect("LINK_TYPE", ObjectInfo.LINK_TYPE, "offsetof(struct bpf_link_info, type)");
        expect("LINK_ID", ObjectInfo.LINK_ID, "offsetof(struct bpf_link_info, id)");
        expect("LINK_PROG_ID", ObjectInfo.LINK_PROG_ID, "offsetof(struct bpf_link_info, prog_id)");
        expect("LINK_XDP_IFINDEX", ObjectInfo.LINK_XDP_IFINDEX, "offsetof(struct bpf_link_info, xdp.ifindex)");
        expect("LINK_TYPE_XDP", ObjectInfo.LINK_TYPE_XDP, "BPF_LINK_TYPE_XDP");
        expect("ATTACH_TYPE_XDP", BpfLink.ATTACH_TYPE_XDP, "BPF_XDP");
        expect("F_INNER_MAP", BpfMap.F_INNER_MAP, "BPF_F_INNER_MAP");
        expect("F_NO_PREALLOC", BpfMap.F_NO_PREALLOC, "BPF_F_NO_PREALLOC");
        expect("XDP_NATIVE", XdpMode.NATIVE.attachFlags(), "XDP_FLAGS_DRV_MODE");
        expect("XDP_GENERIC", XdpMode.GENERIC.attachFlags(), "XDP_FLAGS_SKB_MODE");
        expect("XDP_OFFLOAD", XdpMode.OFFLOAD.attachFlags(), "XDP_FLAGS_HW_MODE");
        expect("MAP_TYPE_LRU_PERCPU_HASH", MapType.LRU_PERCPU_HASH.kernelValue(), "BPF_MAP_TYPE_LRU_PERCPU_HASH");
        expect("MAP_TYPE_ARRAY_OF_MAPS", MapType.ARRAY_OF_MAPS.kernelValue(), "BPF_MAP_TYPE_ARRAY_OF_MAPS");
        expect("MAP_TYPE_USER_RINGBUF", MapType.USER_RINGBUF.kernelValue(), "BPF_MAP_TYPE_USER_RINGBUF");
        expect("XDP_TX", XdpAction.TX.kernelValue(), "XDP_TX");
        expect("XDP_REDIRECT", XdpAction.REDIRECT.kernelValue(), "XDP_REDIRECT");
    }

    private static void expect(String name, int javaValue, String cExpression) {
        JAVA.put(name, javaValue);
        C.put(name, cExpression);
    }

    @TempDir
    Path work;

    @Test
    void offsetsAndSizesMatchTheInstalledHeaders() throws IOException {
        StringBuilder program = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <linux/bpf.h>
                #include <linux/if_link.h>
                #include <bpf/bpf.h>
                #include <bpf/libbpf.h>
                int main(void) {
                """);
        C.forEach((name, expression) ->
                program.append("    printf(\"%s %ld\\n\", \"").append(name).append("\", (long)(")
                        .append(expression).append("));\n"));
        program.append("    return 0;\n}\n");
        Path source = work.resolve("layout.c");
        Path binary = work.resolve("layout");
        Files.writeString(source, program);
        BpfTestSupport.run(List.of("cc", "-o", binary.toString(), source.toString()));

        Map<String, Integer> fromC = new LinkedHashMap<>();
        for (String line : BpfTestSupport.run(List.of(binary.toString())).split("\n")) {
            String[] parts = line.trim().split(" ");
            fromC.put(parts[0], Integer.parseInt(parts[1]));
        }
        assertThat(JAVA).isEqualTo(fromC);
    }
}
