package io.sluice.lb.dos;

import io.sluice.lb.status.DaemonStatus;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of the DoS stage for the status file, the admin API and the CLI: the rules in
 * force, the run-time blocks with their expiry, hit counts and drop counters.
 *
 * @param deny      config entries then blocks; hits are summed over CPUs (-1 when not read)
 * @param drops     packets per DoS-related reason label (drop_deny_list, drop_source_rate, ...)
 */
public record DosSnapshot(List<String> allow, List<DenyEntry> deny, List<BlockView> blocks, Limits limits,
                          Map<String, Long> drops) {

    public DosSnapshot {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        blocks = List.copyOf(blocks);
        drops = DaemonStatus.inOrder(drops);
    }

    /** One deny-list entry: where it comes from (config, auto, manual) and the packets it dropped. */
    public record DenyEntry(String prefix, String origin, long hits) {
    }

    /** A run-time block; expiresAt null = until unblocked. */
    public record BlockView(String prefix, String origin, String reason, String blockedAt, String expiresAt,
                            long hits) {
    }

    /** Rates are per second; 0 = no limit / off. */
    /**
     * The limits in force. An effective burst is the burst the program allows: the configured one,
     * or one tick of the program's clock ({@code clockTickMicros}) worth of the rate if that is larger.
     */
    public record Limits(int sourcePacketRate, int sourcePacketBurst, long sourcePacketEffectiveBurst,
                         int sourceNewFlowRate, int sourceNewFlowBurst, long sourceNewFlowEffectiveBurst,
                         long clockTickMicros, boolean tcpFlags, List<Integer> reflectionPorts,
                         long autoBlockPacketsPerSecond, long autoBlockSeconds, int autoBlockMax) {
        public Limits {
            reflectionPorts = List.copyOf(reflectionPorts);
        }
    }
}
