package io.sluice.lb.config;

import io.sluice.lb.net.MacAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated configuration with defaults applied. Build it through ConfigLoader,
 * which checks every rule; the constructor only guards against nulls.
 *
 * @param gatewayMac empty = "auto": resolve the default gateway from the neighbour table
 * @param statusFile where the daemon keeps its status (JSON) for `sluice status`
 * @param metricsListen where Prometheus scrapes /metrics; empty = off
 * @param admin         where the admin API listens
 * @param consul        the Consul agent settings (defaults when the section is absent)
 * @param dos           the DoS stage's rules (docs/dos.md)
 * @param bgp           which VIPs the host's BGP speaker announces (docs/bgp.md)
 */
public record SluiceConfig(String interfaceName, Path pinDir, XdpMode xdpMode, Optional<MacAddress> gatewayMac,
                           int mtu, int flowTableSize, EncapConfig encap, List<VipConfig> vips,
                           Path statusFile, Optional<InetSocketAddress> metricsListen, AdminConfig admin,
                           ConsulConfig consul, DosConfig dos, BgpConfig bgp) {
    public SluiceConfig {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(pinDir, "pinDir");
        Objects.requireNonNull(xdpMode, "xdpMode");
        Objects.requireNonNull(gatewayMac, "gatewayMac");
        Objects.requireNonNull(encap, "encap");
        Objects.requireNonNull(statusFile, "statusFile");
        Objects.requireNonNull(metricsListen, "metricsListen");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(consul, "consul");
        Objects.requireNonNull(dos, "dos");
        Objects.requireNonNull(bgp, "bgp");
        vips = List.copyOf(vips);
    }

    /** The same config with another VIP list (discovered backends laid in). */
    public SluiceConfig withVips(List<VipConfig> newVips) {
        return new SluiceConfig(interfaceName, pinDir, xdpMode, gatewayMac, mtu, flowTableSize, encap, newVips,
                statusFile, metricsListen, admin, consul, dos, bgp);
    }

    /** The same host settings with the fleet's shared VIPs and DoS rules (Consul KV) laid in. */
    public SluiceConfig withShared(List<VipConfig> sharedVips, DosConfig sharedDos) {
        return new SluiceConfig(interfaceName, pinDir, xdpMode, gatewayMac, mtu, flowTableSize, encap, sharedVips,
                statusFile, metricsListen, admin, consul, sharedDos, bgp);
    }

    /** Whether any VIP registers in or discovers from Consul. */
    public boolean usesConsul() {
        return vips.stream().anyMatch(v -> v.consul().isPresent() || v.discovery().isPresent());
    }
}
