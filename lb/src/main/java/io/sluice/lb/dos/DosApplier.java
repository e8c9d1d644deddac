package io.sluice.lb.dos;

import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.DosConfigEntry;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.DosVipEntry;
import io.sluice.lb.dataplane.LpmPrefix;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Makes the DoS maps hold a {@link DosRules}: diffs against what they hold and writes only the
 * difference, so a reload or a new block is a handful of map updates, never a program reload.
 *
 * <p>The maps are read once (at start, and again after a failed apply); afterwards the applier
 * diffs against its mirror of them: it is their only writer. Order: new entries and the pre-filter
 * bits that reveal them, then removals, then the counts in dos_config, so a packet never sees a
 * count that promises entries which are not there.
 */
final class DosApplier {
    private final DosMaps maps;
    private Set<LpmPrefix> allow;
    private Map<LpmPrefix, Integer> deny;
    private long[] allowPrefilter;

    DosApplier(DosMaps maps) {
        this.maps = maps;
    }

    /** What one apply changed. */
    record Report(int allowAdded, int allowRemoved, int denyAdded, int denyRemoved, int filterEntries,
                  int vipsWritten, boolean configWritten) {
        boolean changedAnything() {
            return allowAdded + allowRemoved + denyAdded + denyRemoved + filterEntries + vipsWritten > 0
                    || configWritten;
        }

        String toLogFields() {
            return "allow_added=" + allowAdded + " allow_removed=" + allowRemoved + " deny_added=" + denyAdded
                    + " deny_removed=" + denyRemoved + " filter_entries=" + filterEntries + " vips=" + vipsWritten
                    + " limits_changed=" + configWritten;
        }
    }

    Report apply(DosRules rules) {
        try {
            return write(rules);
        } catch (RuntimeException e) {
            allow = null; // re-read the maps next time: they may hold part of this change
            deny = null;
            allowPrefilter = null;
            throw e;
        }
    }

    /** The hit-counter id of a deny entry in force, or null. */
    Integer denyId(LpmPrefix prefix) {
        if (deny == null) {
            deny = new HashMap<>(maps.readDeny());
        }
        return deny.get(prefix);
    }

    private Report write(DosRules rules) {
        if (allow == null || deny == null || allowPrefilter == null) {
            allow = new HashSet<>(maps.readAllow());
            deny = new HashMap<>(maps.readDeny());
            allowPrefilter = maps.readAllowPrefilter();
        }
        Deny24 denyBefore = new Deny24(deny);
        int allowAdded = 0;
        for (LpmPrefix p : rules.allow()) {
            if (!allow.contains(p)) {
                maps.putAllow(p);
                allow.add(p);
                allowAdded++;
            }
        }
        int denyAdded = 0;
        BitSet usedIds = new BitSet();
        deny.values().forEach(usedIds::set);
        for (LpmPrefix p : rules.deny()) {
            if (!deny.containsKey(p)) {
                int id = usedIds.nextClearBit(0);
                if (id >= DosAbi.DOS_MAX_DENY_IDS) {
                    throw new IllegalStateException("no free deny id for " + p);
                }
                maps.putDeny(p, id);
                usedIds.set(id);
                deny.put(p, id);
                denyAdded++;
            }
        }
        long[] allowWords = Prefilter.of(rules.allow());
        int words = maps.writeAllowPrefilter(allowPrefilter, allowWords);
        allowPrefilter = allowWords;
        Map<LpmPrefix, Integer> wantedIds = new HashMap<>();
        rules.deny().forEach(p -> wantedIds.put(p, deny.get(p)));
        words += writeDeny24(denyBefore, new Deny24(wantedIds));

        int allowRemoved = 0;
        for (LpmPrefix p : new ArrayList<>(allow)) {
            if (!rules.allow().contains(p)) {
                maps.deleteAllow(p);
                allow.remove(p);
                allowRemoved++;
            }
        }
        int denyRemoved = 0;
        for (LpmPrefix p : new ArrayList<>(deny.keySet())) {
            if (!rules.deny().contains(p)) {
                maps.deleteDeny(p);
                deny.remove(p);
                denyRemoved++;
            }
        }
        if (!maps.readReflectionPorts().equals(rules.reflectionPorts())) {
            maps.writeReflectionPorts(rules.reflectionPorts());
        }
        int vipsWritten = writeVips(rules.vips());
        boolean configWritten = false;
        DosConfigEntry config = rules.config();
        if (!maps.readConfig().equals(config)) {
            maps.writeConfig(config);
            configWritten = true;
        }
        return new Report(allowAdded, allowRemoved, denyAdded, denyRemoved, words, vipsWritten, configWritten);
    }

    /** Writes the dos_deny24 entries that differ between two rule sets, one /8 chunk at a time. */
    private int writeDeny24(Deny24 before, Deny24 after) {
        int written = 0;
        int[] indexes = new int[Deny24.CHUNK_ENTRIES];
        int[] values = new int[Deny24.CHUNK_ENTRIES];
        for (int chunk = 0; chunk < Deny24.CHUNKS; chunk++) {
            if (!before.touches(chunk) && !after.touches(chunk)) {
                continue;
            }
            int[] have = before.chunk(chunk);
            int[] want = after.chunk(chunk);
            int n = 0;
            for (int i = 0; i < want.length; i++) {
                if (have[i] != want[i]) {
                    indexes[n] = chunk * Deny24.CHUNK_ENTRIES + i;
                    values[n++] = want[i];
                }
            }
            if (n > 0) {
                maps.writeDeny24(indexes, values, n);
                written += n;
            }
        }
        return written;
    }

    /** Every VIP slot: the wanted entry, or the default where no VIP (or one without settings) is. */
    private int writeVips(Map<Integer, DosVipEntry> wanted) {
        int written = 0;
        for (int id = 0; id < io.sluice.lb.dataplane.DataplaneAbi.MAX_VIPS; id++) {
            DosVipEntry want = wanted.getOrDefault(id, DosVipEntry.DEFAULT);
            DosVipEntry have = maps.readVip(id);
            if (!have.equals(want)) {
                maps.writeVip(id, want);
                if (!have.newFlows().equals(want.newFlows())) {
                    maps.resetVipFlowState(id);
                }
                written++;
            }
        }
        return written;
    }
}
