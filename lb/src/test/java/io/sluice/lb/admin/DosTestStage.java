package io.sluice.lb.admin;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;

import io.sluice.lb.admin.resource.DosResource;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dos.DosControl;
import io.sluice.lb.dos.DosService;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin server with the DoS resources over a real DoS stage: a loaded balancer (BPF_PROG_TEST_RUN),
 * a real {@link DosService} on its maps, and one thread standing in for the daemon's, on which every
 * DosService call runs, and on which each applied config change re-applies the DoS rules (as the
 * daemon's reconcile does). Needs root.
 */
public final class DosTestStage implements AutoCloseable {
    public static final String VIP = "10.100.0.1";
    public static final int PORT = 80;

    public final AdminTestServer server;
    public final Path blocksFile;
    private final BalancerRig rig;
    private final DosMaps dosMaps;
    private final ExecutorService daemonThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dos-daemon-double");
        t.setDaemon(true);
        return t;
    });
    private final DosService service;

    /**
     * The test config: BASE_CONFIG with a dos section that allows 192.0.2.0/24, denies 203.0.113.0/24,
     * and sets per-source limits no test reaches: a packet limit whose burst is below one clock tick
     * of its rate (the program raises it), and a new-flow limit whose burst is kept.
     */
    public static String config(Path blocksFile) {
        return AdminTestServer.BASE_CONFIG + String.join("\n",
                "dos:",
                "  allow: [\"192.0.2.0/24\"]",
                "  deny: [\"203.0.113.0/24\"]",
                "  source_packets: { rate: 100000, burst: 10 }",
                "  source_new_flows: { rate: 200, burst: 400 }",
                "  blocks_file: \"" + blocksFile + "\"",
                "");
    }

    public DosTestStage(Path dir) throws Exception {
        this(dir, Clock.systemUTC());
    }

    public DosTestStage(Path dir, Clock clock) throws Exception {
        rig = BalancerRig.balancer();
        DataplaneMaps maps = rig.maps();
        dosMaps = DosMaps.of(rig.object());
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, 1500, (Inet4Address) ip("172.16.0.0"), 0xff,
                (Inet6Address) ip("fd00:5::"), 0xffff, 0));
        service = new DosService(dosMaps, () -> {
            Map<VipKey, Integer> ids = new HashMap<>();
            maps.readVips().forEach((k, m) -> ids.put(k, m.vipId()));
            return ids;
        }, maps::reasonCounts, clock, null);
        blocksFile = dir.resolve("state").resolve("dos-blocks.json");
        AdminTestServer[] made = new AdminTestServer[1]; // the blocks file is read from the running config
        DosControl control = new DosControl(() -> service, daemonThread,
                () -> made[0].applier.config().dos().blocksFile());
        server = new AdminTestServer(dir, config(blocksFile), true, Optional.empty(),
                context -> DosResource.all(context, control));
        made[0] = server;
        server.applier.onApplied(this::applyDos);
        applyDos(server.applier.config());
        onDaemon(control::restore);
    }

    /** As the daemon's reconcile: the DoS rules follow every applied config. */
    private void applyDos(SluiceConfig config) {
        onDaemon(() -> service.apply(config.dos(), config.vips(), "test"));
    }

    /** Runs on the daemon-thread double and waits. */
    public void onDaemon(Runnable task) {
        try {
            daemonThread.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A TCP SYN from {@code source} to the VIP address through the real program. */
    public XdpAction syn(String source) {
        return rig.run(PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(source, VIP).tcp(40000, PORT).build()).action();
    }

    public DosService service() {
        return service;
    }

    @Override
    public void close() {
        server.close();
        daemonThread.shutdownNow();
        dosMaps.close();
        rig.close();
    }
}
