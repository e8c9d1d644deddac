package io.sluice.lb.drain;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.status.DaemonStatus;
import io.sluice.lb.status.DaemonStatus.BackendStatus;
import io.sluice.lb.status.DaemonStatus.VipStatus;
import io.sluice.lb.status.StatusFile;
import io.sluice.lb.steering.BackendRef;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviousDrainsTest {
    private static final Path PIN_DIR = Path.of("/sys/fs/bpf/sluice");
    private static final String BEGAN = "2026-11-23T22:00:00Z";

    @TempDir
    Path dir;

    private static BackendStatus backend(String address, String drainState, String since) {
        return new BackendStatus(address, 100, 50, true, "up", null, null, null, 0, 0, 0, drainState, since, "undrain");
    }

    private static DaemonStatus status(String pinDir) {
        VipStatus web = new VipStatus("web", "10.100.0.1", 80, "tcp", 65537, false, "fail_open", 0, 0, 0, List.of(
                backend("10.0.2.11", "filling", BEGAN),
                backend("10.0.2.12", "active", null),
                backend("10.0.2.13", "draining", BEGAN),
                backend("not-an-address", "filling", BEGAN),
                backend("10.0.2.14", "filling", "yesterday"),
                backend("10.0.2.15", "drained", BEGAN)));
        VipStatus web6 = new VipStatus("web6", "fd00:100::1", 80, "tcp", 65537, false, "fail_open", 0, 0, 0, List.of(
                backend("fd00:2::11", "filling", BEGAN)));
        return new DaemonStatus("0.1.0", "eth0", pinDir, true, BEGAN, BEGAN, "io_uring", List.of(web, web6), Map.of());
    }

    @Test
    void theFillingAndDrainingBackendsOfTheSamePinDirAreReadBackThroughTheStatusFile() throws Exception {
        Path file = dir.resolve("status.json");
        StatusFile.write(file, status(PIN_DIR.toString()));

        Map<BackendRef, PreviousDrains.Recorded> recorded = PreviousDrains.read(file, PIN_DIR);

        VipKey web = new VipKey(InetAddress.getByName("10.100.0.1"), 80, Protocol.TCP);
        VipKey web6 = new VipKey(InetAddress.getByName("fd00:100::1"), 80, Protocol.TCP);
        Instant began = Instant.parse(BEGAN);
        assertThat(recorded).containsOnly(
                Map.entry(new BackendRef(web, InetAddress.getByName("10.0.2.11")),
                        new PreviousDrains.Recorded(DrainState.FILLING, began)),
                Map.entry(new BackendRef(web, InetAddress.getByName("10.0.2.13")),
                        new PreviousDrains.Recorded(DrainState.DRAINING, began)),
                Map.entry(new BackendRef(web6, InetAddress.getByName("fd00:2::11")),
                        new PreviousDrains.Recorded(DrainState.FILLING, began)));
    }

    @Test
    void anotherPinDirsStatusAMissingFileAndAnUnreadableOneResumeNothing() throws Exception {
        assertThat(PreviousDrains.from(status("/sys/fs/bpf/other"), PIN_DIR)).isEmpty();
        assertThat(PreviousDrains.read(dir.resolve("missing.json"), PIN_DIR)).isEmpty();
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{ not json");
        assertThat(PreviousDrains.read(garbage, PIN_DIR)).isEmpty();
    }
}
