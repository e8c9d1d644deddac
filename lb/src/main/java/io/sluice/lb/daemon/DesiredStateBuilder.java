package io.sluice.lb.daemon;

import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.net.GatewayResolver;
import io.sluice.lb.net.MacAddress;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Turns a validated config into the state the data plane should hold. */
final class DesiredStateBuilder {
    private static final Duration GATEWAY_TIMEOUT = Duration.ofSeconds(3);
    private static final int IPV4_BITS = 32;
    /** The program varies only the last 32-bit word of an IPv6 outer source. */
    private static final int IPV6_VARIABLE_BITS = 32;

    private final Function<String, MacAddress> gatewayResolver;

    DesiredStateBuilder() {
        this(iface -> new GatewayResolver().resolve(iface, GATEWAY_TIMEOUT));
    }

    DesiredStateBuilder(Function<String, MacAddress> gatewayResolver) {
        this.gatewayResolver = gatewayResolver;
    }

    /** Chooses the backends (and their effective weights) of a VIP; by default all, as configured. */
    interface BackendSelector {
        List<DesiredBackend> select(VipConfig vip, VipKey key);
    }

    static final BackendSelector ALL_CONFIGURED = (vip, key) -> vip.backends().stream()
            .map(b -> new DesiredBackend(b.address(), b.weight())).toList();

    DesiredState build(SluiceConfig config) {
        return build(config, settings(config), ALL_CONFIGURED);
    }

    /** The VIPs with the backends the selector picks, under the given global settings. */
    DesiredState build(SluiceConfig config, LbConfigEntry settings, BackendSelector selector) {
        List<DesiredVip> vips = new ArrayList<>();
        for (VipConfig vip : config.vips()) {
            VipKey key = vip.key();
            vips.add(new DesiredVip(vip.name(), key, vip.tableSize(), selector.select(vip, key)));
        }
        return new DesiredState(settings, vips);
    }

    /** The global settings; resolves the gateway MAC when the config says auto (once per config load). */
    LbConfigEntry settings(SluiceConfig config) {
        MacAddress gateway = config.gatewayMac().orElseGet(() -> gatewayResolver.apply(config.interfaceName()));
        Optional<Cidr> v4 = config.encap().sourceV4();
        Optional<Cidr> v6 = config.encap().sourceV6();
        return new LbConfigEntry(
                gateway.toBytes(),
                config.mtu(),
                (Inet4Address) v4.map(Cidr::network).orElse(zero(4)),
                v4.map(c -> varyMask(c.hostBits())).orElse(0),
                (Inet6Address) v6.map(Cidr::network).orElse(zero(16)),
                v6.map(c -> varyMask(Math.min(c.hostBits(), IPV6_VARIABLE_BITS))).orElse(0),
                0);
    }

    /** The low `bits` bits set, as the big-endian reading of the __be32 vary field. */
    static int varyMask(int bits) {
        return bits >= IPV4_BITS ? -1 : (1 << bits) - 1;
    }

    private static InetAddress zero(int length) {
        try {
            return length == 4 ? InetAddress.getByAddress(new byte[4])
                    : Inet6Address.getByAddress(null, new byte[16], -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
