package io.sluice.lb.dos;

import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.config.VipDosConfig;
import io.sluice.lb.dataplane.DosRate;
import io.sluice.lb.dataplane.Protocol;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaisedBurstTest {

    private static final long TICK_4MS = 4_000_000L;

    private static DosConfig limits(DosRate packets, DosRate flows) {
        return new DosConfig(List.of(), List.of(), packets, flows, true, DosConfig.DEFAULT_REFLECTION_PORTS,
                DosConfig.AutoBlock.OFF);
    }

    private static VipConfig vip(String name, DosRate newFlows) {
        return new VipConfig(name, ip("198.51.100.1"), 80, Protocol.TCP, 7, List.of(), AllDownPolicy.FAIL_OPEN,
                Duration.ZERO, new VipDosConfig(newFlows, false, List.of()));
    }

    @Test
    void onlyBurstsShorterThanOneTickOfTheirRateAreReported() {
        DosConfig dos = limits(new DosRate(100_000, 10), new DosRate(200, 400));
        List<VipConfig> vips = List.of(vip("web", new DosRate(1_000_000, 1)), vip("dns", new DosRate(50_000, 100_000)));

        List<RaisedBurst> raised = RaisedBurst.in(dos, vips, TICK_4MS);

        assertThat(raised).extracting(RaisedBurst::logFields).containsExactly(
                "limit=source_packets rate=100000 burst=10 effective_burst=401",
                "limit=new_flows vip=web rate=1000000 burst=1 effective_burst=4001");
    }

    @Test
    void limitsThatAreOffAreNeverRaised() {
        assertThat(RaisedBurst.in(DosConfig.DEFAULT, List.of(vip("web", DosRate.NONE)), TICK_4MS)).isEmpty();
    }
}
