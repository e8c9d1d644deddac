package io.sluice.lb.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rules that span VIPs or sections: uniqueness, map capacities, encapsulation sources. */
final class CrossChecks {
    private record ServiceKey(InetAddress address, int port, String protocol) {
    }

    private final Problems problems;

    CrossChecks(Problems problems) {
        this.problems = problems;
    }

    void check(List<VipsReader.ReadVip> vips, EncapConfig encap) {
        Map<String, Integer> nameIndex = new HashMap<>();
        Map<ServiceKey, Integer> serviceIndex = new HashMap<>();
        int backendSlots = 0; // one data-plane backend id per (VIP, backend)
        Optional<String> firstV4Backend = Optional.empty();
        Optional<String> firstV6Backend = Optional.empty();
        for (VipsReader.ReadVip read : vips) {
            VipConfig vip = read.vip();
            Integer sameName = nameIndex.putIfAbsent(vip.name(), read.index());
            if (sameName != null) {
                problems.add(read.field() + ".name",
                        "duplicate VIP name \"" + vip.name() + "\" (also vips[" + sameName + "])");
            }
            ServiceKey key = new ServiceKey(vip.address(), vip.port(), vip.protocol().name());
            Integer sameService = serviceIndex.putIfAbsent(key, read.index());
            if (sameService != null) {
                problems.add(read.field(), "same address, port and protocol as vips[" + sameService + "] ("
                        + vip.address().getHostAddress() + " " + vip.port() + "/"
                        + vip.protocol().name().toLowerCase(java.util.Locale.ROOT) + ")");
            }
            // A discovered service may fill up to its max_backends slots: count them up front.
            backendSlots += vip.discovery().map(ConsulDiscovery::maxBackends).orElse(0);
            for (int b = 0; b < vip.backends().size(); b++) {
                InetAddress address = vip.backends().get(b).address();
                backendSlots++;
                String where = read.field() + ".backends[" + b + "]";
                if (address instanceof Inet4Address) {
                    firstV4Backend = firstV4Backend.or(() -> Optional.of(where));
                } else {
                    firstV6Backend = firstV6Backend.or(() -> Optional.of(where));
                }
            }
        }
        if (vips.size() > ConfigLimits.MAX_VIPS) {
            problems.add("vips", "at most " + ConfigLimits.MAX_VIPS + " VIPs fit the data plane, got " + vips.size());
        }
        if (backendSlots > ConfigLimits.MAX_BACKENDS) {
            problems.add("vips", "at most " + ConfigLimits.MAX_BACKENDS
                    + " backends, counted per VIP, fit the data plane, got " + backendSlots);
        }
        firstV4Backend.filter(where -> encap.sourceV4().isEmpty()).ifPresent(where ->
                problems.add("encap.source_v4", "required: " + where + " is an IPv4 backend"));
        firstV6Backend.filter(where -> encap.sourceV6().isEmpty()).ifPresent(where ->
                problems.add("encap.source_v6", "required: " + where + " is an IPv6 backend"));
    }
}
