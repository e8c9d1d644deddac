package io.sluice.lb.dos;

import io.sluice.lb.config.DosConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DosRate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A configured limit whose burst the program's clock raises (DosRate: at least one clock tick of
 * the rate), with the burst it really gets.
 *
 * @param limit the config key ({@code source_packets}, {@code source_new_flows}, a VIP's {@code new_flows})
 * @param vip   the VIP's name for a VIP's limit
 */
record RaisedBurst(String limit, Optional<String> vip, DosRate configured, long effectiveBurst) {

    /** Every limit of {@code dos} and the VIPs' settings that a clock moving by {@code tickNanos} raises. */
    static List<RaisedBurst> in(DosConfig dos, List<VipConfig> vips, long tickNanos) {
        List<RaisedBurst> raised = new ArrayList<>();
        add(raised, "source_packets", Optional.empty(), dos.sourcePackets(), tickNanos);
        add(raised, "source_new_flows", Optional.empty(), dos.sourceNewFlows(), tickNanos);
        for (VipConfig vip : vips) {
            add(raised, "new_flows", Optional.of(vip.name()), vip.dos().newFlows(), tickNanos);
        }
        return raised;
    }

    private static void add(List<RaisedBurst> raised, String limit, Optional<String> vip, DosRate rate, long tick) {
        long effective = rate.effectiveBurst(tick);
        if (effective > rate.burst()) {
            raised.add(new RaisedBurst(limit, vip, rate, effective));
        }
    }

    String logFields() {
        return "limit=" + limit + vip.map(name -> " vip=" + name).orElse("") + " rate=" + configured.rate()
                + " burst=" + configured.burst() + " effective_burst=" + effectiveBurst;
    }
}
