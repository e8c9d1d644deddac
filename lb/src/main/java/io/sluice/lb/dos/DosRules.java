package io.sluice.lb.dos;

import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.DosConfigEntry;
import io.sluice.lb.dataplane.DosVipEntry;
import io.sluice.lb.dataplane.LpmPrefix;
import io.sluice.lb.dataplane.VipKey;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the DoS maps must hold: a pure function of the config, the VIP ids the reconciler gave out
 * and the run-time blocks. Checks capacity before anything is written, so a rule set that does not
 * fit changes nothing.
 */
record DosRules(Set<LpmPrefix> allow, Set<LpmPrefix> deny, DosConfigEntry config, BitSet reflectionPorts,
                Map<Integer, DosVipEntry> vips) {

    static DosRules of(DosConfig dos, List<VipConfig> vipConfigs, Map<VipKey, Integer> vipIds,
                       Collection<Block> blocks) {
        Set<LpmPrefix> allow = new LinkedHashSet<>();
        dos.allow().forEach(c -> allow.add(prefix(c)));
        Set<LpmPrefix> deny = new LinkedHashSet<>();
        dos.deny().forEach(c -> deny.add(prefix(c)));
        blocks.forEach(b -> deny.add(b.prefix()));
        requireFits("allow", allow);
        requireFits("deny", deny);
        if (deny.size() > DosAbi.DOS_MAX_DENY_IDS) {
            throw new IllegalArgumentException("deny list with blocks has " + deny.size() + " entries, at most "
                    + DosAbi.DOS_MAX_DENY_IDS);
        }

        Map<Integer, DosVipEntry> vips = new HashMap<>();
        boolean ceilings = false;
        for (VipConfig vip : vipConfigs) {
            Integer id = vipIds.get(vip.key());
            if (id == null) {
                continue; // not in the maps (yet): written once the reconciler has given it an id
            }
            DosVipEntry entry = new DosVipEntry(vip.dos().newFlows(), vip.dos().passFragments(),
                    vip.dos().reflectionPorts());
            ceilings |= vip.dos().newFlows().limits();
            if (!entry.equals(DosVipEntry.DEFAULT)) {
                vips.put(id, entry);
            }
        }

        int flags = (dos.tcpFlags() ? DosAbi.DOS_F_TCP_FLAGS : 0)
                | (dos.reflectionPorts().isEmpty() ? 0 : DosAbi.DOS_F_REFLECTION)
                | (dos.sourcePackets().limits() || dos.sourceNewFlows().limits() || dos.autoBlock().enabled()
                        ? DosAbi.DOS_F_TRACK_SOURCES : 0)
                | (ceilings ? DosAbi.DOS_F_VIP_CEILINGS : 0);
        int allow4 = count(allow, true);
        int deny4 = count(deny, true);
        DosConfigEntry config = new DosConfigEntry(flags, allow4, allow.size() - allow4, deny4, deny.size() - deny4,
                dos.sourcePackets(), dos.sourceNewFlows());
        BitSet ports = new BitSet();
        dos.reflectionPorts().forEach(ports::set);
        return new DosRules(Set.copyOf(allow), Set.copyOf(deny), config, ports, Map.copyOf(vips));
    }

    static LpmPrefix prefix(Cidr cidr) {
        return new LpmPrefix(cidr.network(), cidr.prefixLength());
    }

    private static int count(Set<LpmPrefix> prefixes, boolean ipv4) {
        return (int) prefixes.stream().filter(p -> p.isIpv4() == ipv4).count();
    }

    private static void requireFits(String list, Set<LpmPrefix> prefixes) {
        int v4 = count(prefixes, true);
        int v6 = prefixes.size() - v4;
        if (Math.max(v4, v6) > DosAbi.DOS_MAX_PREFIXES) {
            throw new IllegalArgumentException(list + " list has " + v4 + " IPv4 and " + v6 + " IPv6 prefixes, at most "
                    + DosAbi.DOS_MAX_PREFIXES + " per family");
        }
    }
}
