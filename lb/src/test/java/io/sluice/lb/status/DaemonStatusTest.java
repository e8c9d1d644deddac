package io.sluice.lb.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dos.DosSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DaemonStatusTest {

    @Test
    void countersKeepTheOrderTheyWereReadInThroughTheJson() throws Exception {
        Map<String, Long> reasons = new LinkedHashMap<>(); // the C order, as the daemon reads them
        for (Reason reason : Reason.values()) {
            reasons.put(reason.label(), (long) reason.ordinal());
        }
        Map<String, Long> drops = new TreeMap<>(Map.of("drop_deny_list", 1L, "drop_reflection", 2L,
                "drop_source_flow_rate", 3L, "drop_source_rate", 4L, "drop_tcp_flags", 5L,
                "drop_vip_flow_ceiling", 6L));
        DaemonStatus status = new DaemonStatus("0.1.0", "eth0", "/sys/fs/bpf/sluice", false, "2026-11-25T00:00:00Z",
                "2026-11-25T00:00:01Z", "io_uring", List.of(), reasons)
                .withDos(new DaemonStatus.DosStatus(0, 0, List.of(), drops));

        JsonNode json = new ObjectMapper().readTree(StatusFile.toJson(status));

        assertThat(names(json.path("packet_reasons"))).containsExactlyElementsOf(reasons.keySet());
        assertThat(names(json.path("dos").path("drops"))).containsExactlyElementsOf(drops.keySet());
        assertThat(status.packetReasons()).containsExactlyEntriesOf(reasons);
    }

    @Test
    void theDosSnapshotKeepsTheDropsInOrder() {
        Map<String, Long> drops = new TreeMap<>();
        for (Reason reason : Reason.values()) {
            drops.put(reason.label(), (long) reason.ordinal());
        }

        DosSnapshot snapshot = new DosSnapshot(List.of(), List.of(), List.of(), null, drops);

        assertThat(snapshot.drops()).containsExactlyEntriesOf(drops);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
