package io.sluice.lb.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfTestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real TUN device and kernel routes (root): what ties the announcements to the process. */
class TunRoutesTest {
    private static final int PID_SUFFIX_MODULO = 100_000;
    private static final long PID = ProcessHandle.current().pid();

    private final String device = "sltun" + PID % PID_SUFFIX_MODULO;
    /** A table of the test's own, far from the lab's 4242. */
    private final int table = 50_000 + (int) (PID % 1_000);
    private final InetAddress v4 = address("192.0.2.77");
    private final InetAddress v6 = address("2001:db8::77");

    @BeforeEach
    void needsRoot() {
        assumeTrue(BpfTestSupport.isRoot(), "needs root (CAP_NET_ADMIN) for TUN devices and routes");
    }

    @AfterEach
    void removeLeftovers() {
        if (BpfTestSupport.isRoot()) {
            BpfTestSupport.run(List.of("sh", "-c", "ip link del " + device + " 2>/dev/null || true"));
        }
    }

    @Test
    void routesLiveAsLongAsTheDescriptor() throws Exception {
        IpRouteTable routes = new IpRouteTable("ip", device, table);
        try (TunDevice tun = TunDevice.open(device, false)) {
            routes.linkUp();
            assertThat(routes.read()).isEmpty();
            routes.add(v4);
            routes.add(v6);
            routes.add(v4); // replace: idempotent
            assertThat(routes.read()).containsExactlyInAnyOrder(v4, v6);
            routes.remove(v6);
            routes.remove(v6); // already gone: fine
            assertThat(routes.read()).containsExactly(v4);
            assertThat(tun.name()).isEqualTo(device);
        }
        assertThat(linkExists()).isFalse();
        assertThat(ip("-4", "route", "show", "table", Integer.toString(table))).doesNotContain("192.0.2.77");
    }

    @Test
    void aPersistentDeviceOutlivesTheDescriptorUntilRemoved() throws Exception {
        IpRouteTable routes = new IpRouteTable("ip", device, table);
        TunDevice first = TunDevice.open(device, true);
        routes.linkUp();
        routes.add(v4);
        first.close(); // a crash with on_crash: keep
        assertThat(linkExists()).isTrue();
        assertThat(routes.read()).containsExactly(v4);

        TunDevice second = TunDevice.open(device, true); // the restarted daemon attaches to it
        assertThat(routes.read()).containsExactly(v4);
        second.remove(); // a clean stop
        assertThat(linkExists()).isFalse();
    }

    @Test
    void badNamesAreRefusedBeforeTheKernelSeesThem() {
        assertThatThrownBy(() -> TunDevice.open("", false)).hasMessageContaining("1..15");
        assertThatThrownBy(() -> TunDevice.open("a-name-that-is-far-too-long", false)).hasMessageContaining("1..15");
    }

    private boolean linkExists() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "link", "show", "dev", device).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
