package io.sluice.lb.config;

import io.sluice.lb.dataplane.DosRate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The `dos:` section: what the XDP DoS stage drops before any load-balancing work (docs/dos.md).
 *
 * @param allow           source prefixes never dropped by the deny list or a rate limit, never auto-blocked
 * @param deny            source prefixes whose packets are dropped (any destination)
 * @param sourcePackets   per source (IPv4 address, IPv6 /64): packets/s to VIPs; rate 0 = no limit
 * @param sourceNewFlows  per source: new flows/s (TCP SYN, new UDP flow); rate 0 = no limit
 * @param tcpFlags        drop invalid TCP flag combinations to VIPs
 * @param reflectionPorts UDP source ports dropped on their way to a VIP that does not list them
 * @param autoBlock       automatic mitigation; packetsPerSecond 0 = off
 * @param blocksFile      where temporary manual blocks (admin API / CLI, with a TTL) are kept across restarts
 */
public record DosConfig(List<Cidr> allow, List<Cidr> deny, DosRate sourcePackets, DosRate sourceNewFlows,
                        boolean tcpFlags, List<Integer> reflectionPorts, AutoBlock autoBlock, Path blocksFile) {

    /** Beside the Consul cache: daemon state, not config. */
    public static final Path DEFAULT_BLOCKS_FILE = Path.of("/var/lib/sluice/dos-blocks.json");

    /** The well-known UDP amplification sources: echo, QOTD, chargen, DNS, portmap, NTP, NetBIOS, SNMP, CLDAP,
     *  RIP, SSDP, WS-Discovery, mDNS, memcached. */
    public static final List<Integer> DEFAULT_REFLECTION_PORTS = List.of(7, 17, 19, 53, 111, 123, 137, 161, 389,
            520, 1900, 3702, 5353, 11211);

    /** Without a `dos:` section: no lists, no limits, protocol sanity on. */
    public static final DosConfig DEFAULT = new DosConfig(List.of(), List.of(), DosRate.NONE, DosRate.NONE, true,
            DEFAULT_REFLECTION_PORTS, AutoBlock.OFF, DEFAULT_BLOCKS_FILE);

    /** The rules alone, with the default blocks file. */
    public DosConfig(List<Cidr> allow, List<Cidr> deny, DosRate sourcePackets, DosRate sourceNewFlows,
                     boolean tcpFlags, List<Integer> reflectionPorts, AutoBlock autoBlock) {
        this(allow, deny, sourcePackets, sourceNewFlows, tcpFlags, reflectionPorts, autoBlock, DEFAULT_BLOCKS_FILE);
    }

    public DosConfig {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        Objects.requireNonNull(sourcePackets, "sourcePackets");
        Objects.requireNonNull(sourceNewFlows, "sourceNewFlows");
        reflectionPorts = List.copyOf(reflectionPorts);
        Objects.requireNonNull(autoBlock, "autoBlock");
        Objects.requireNonNull(blocksFile, "blocksFile");
    }

    /**
     * Automatic mitigation: a source seen sending more than packetsPerSecond to VIPs goes on the deny
     * list for `duration`; at most maxBlocks at once.
     */
    public record AutoBlock(long packetsPerSecond, Duration duration, int maxBlocks) {
        public static final AutoBlock OFF = new AutoBlock(0, Duration.ofMinutes(5), 0);

        public AutoBlock {
            Objects.requireNonNull(duration, "duration");
        }

        public boolean enabled() {
            return packetsPerSecond > 0;
        }
    }
}
