package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.UpdateFlags;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed access to the DoS stage's maps (bpf-xdp/include/dos_maps.h). Owns one fd per map.
 * Writers: one thread (the daemon's). Counter and source reads are safe from another thread.
 */
public final class DosMaps implements AutoCloseable {

    private static final int U32 = Integer.BYTES;
    private static final int U64 = Long.BYTES;
    private static final int CONFIG_KEY = 0;

    private final BpfMap config;
    private final BpfMap allow4;
    private final BpfMap allow6;
    private final BpfMap deny4;
    private final BpfMap deny6;
    private final BpfMap denyHits;
    private final BpfMap prefilter4;
    private final BpfMap deny24;
    private final BpfMap reflectionPorts;
    private final BpfMap vips;
    private final BpfMap vipFlowState;
    private final BpfMap sources;

    private DosMaps(Function<String, BpfMap> opener) {
        List<BpfMap> opened = new ArrayList<>();
        try {
            config = SizedMaps.open(opener, DosAbi.MAP_CONFIG, U32, DosConfigEntry.SIZE, opened);
            allow4 = SizedMaps.open(opener, DosAbi.MAP_ALLOW4, DosLpm4Key.SIZE, U32, opened);
            allow6 = SizedMaps.open(opener, DosAbi.MAP_ALLOW6, DosLpm6Key.SIZE, U32, opened);
            deny4 = SizedMaps.open(opener, DosAbi.MAP_DENY4, DosLpm4Key.SIZE, U32, opened);
            deny6 = SizedMaps.open(opener, DosAbi.MAP_DENY6, DosLpm6Key.SIZE, U32, opened);
            denyHits = SizedMaps.open(opener, DosAbi.MAP_DENY_HITS, U32, U64, opened);
            prefilter4 = SizedMaps.open(opener, DosAbi.MAP_ALLOW_PREFILTER4, U32, U64, opened);
            deny24 = SizedMaps.open(opener, DosAbi.MAP_DENY24, U32, U32, opened);
            reflectionPorts = SizedMaps.open(opener, DosAbi.MAP_REFLECTION_PORTS, U32, U64, opened);
            vips = SizedMaps.open(opener, DosAbi.MAP_VIPS, U32, DosVipEntry.SIZE, opened);
            vipFlowState = SizedMaps.open(opener, DosAbi.MAP_VIP_FLOW_STATE, U32, U64, opened);
            sources = SizedMaps.open(opener, DosAbi.MAP_SOURCES, DosSourceKey.SIZE, DosSourceState.SIZE, opened);
        } catch (RuntimeException e) {
            opened.forEach(BpfMap::close);
            throw e;
        }
    }

    public static DosMaps of(BpfObject loadedBalancer) {
        return new DosMaps(loadedBalancer::map);
    }

    public static DosMaps openPinned(Path pinDir) {
        return new DosMaps(name -> BpfMap.openPinned(pinDir.resolve(name)));
    }

    // --- configuration

    public DosConfigEntry readConfig() {
        byte[] value = new byte[DosConfigEntry.SIZE];
        return config.lookup(Codec.u32(CONFIG_KEY), value) ? DosConfigEntry.decode(value) : DosConfigEntry.IDLE;
    }

    public void writeConfig(DosConfigEntry entry) {
        config.update(Codec.u32(CONFIG_KEY), entry.encode(), UpdateFlags.ANY);
    }

    public DosVipEntry readVip(int vipId) {
        byte[] value = new byte[DosVipEntry.SIZE];
        return vips.lookup(Codec.u32(vipId), value) ? DosVipEntry.decode(value) : DosVipEntry.DEFAULT;
    }

    public void writeVip(int vipId, DosVipEntry entry) {
        vips.update(Codec.u32(vipId), entry.encode(), UpdateFlags.ANY);
    }

    /** Resets the VIP's ceiling bucket (full burst available). */
    public void resetVipFlowState(int vipId) {
        vipFlowState.update(Codec.u32(vipId), new byte[U64], UpdateFlags.ANY);
    }

    public BitSet readReflectionPorts() {
        long[] words = new long[DosAbi.REFLECTION_WORDS];
        byte[] value = new byte[U64];
        for (int i = 0; i < words.length; i++) {
            if (reflectionPorts.lookup(Codec.u32(i), value)) {
                words[i] = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
            }
        }
        return BitSet.valueOf(words);
    }

    /** Writes the words that differ from {@code current}. */
    public void writeReflectionPorts(BitSet ports) {
        writeWords(reflectionPorts, 0, readReflectionPorts().toLongArray(), ports.toLongArray(),
                DosAbi.REFLECTION_WORDS);
    }

    // --- prefix lists

    public Set<LpmPrefix> readAllow() {
        Set<LpmPrefix> result = new LinkedHashSet<>();
        for (BpfMap map : List.of(allow4, allow6)) {
            for (byte[] key : keys(map)) {
                result.add(LpmPrefix.decode(key));
            }
        }
        return result;
    }

    public void putAllow(LpmPrefix prefix) {
        (prefix.isIpv4() ? allow4 : allow6).update(prefix.encode(), Codec.u32(0), UpdateFlags.ANY);
    }

    public void deleteAllow(LpmPrefix prefix) {
        (prefix.isIpv4() ? allow4 : allow6).delete(prefix.encode());
    }

    /** Deny entries and their hit-counter ids. */
    public Map<LpmPrefix, Integer> readDeny() {
        Map<LpmPrefix, Integer> result = new LinkedHashMap<>();
        byte[] value = new byte[U32];
        for (BpfMap map : List.of(deny4, deny6)) {
            for (byte[] key : keys(map)) {
                if (map.lookup(key, value)) {
                    result.put(LpmPrefix.decode(key), Codec.readU32(value));
                }
            }
        }
        return result;
    }

    /** Zeroes the entry's hit counter, then inserts it: a reused id starts from zero. */
    public void putDeny(LpmPrefix prefix, int id) {
        if (id < 0 || id >= DosAbi.DOS_MAX_DENY_IDS) {
            throw new IllegalArgumentException("deny id out of range: " + id);
        }
        denyHits.update(Codec.u32(id), new byte[denyHits.userValueSize()], UpdateFlags.ANY);
        (prefix.isIpv4() ? deny4 : deny6).update(prefix.encode(), Codec.u32(id), UpdateFlags.ANY);
    }

    public void deleteDeny(LpmPrefix prefix) {
        (prefix.isIpv4() ? deny4 : deny6).delete(prefix.encode());
    }

    /** Packets dropped by deny entry {@code id}, summed over CPUs. */
    public long denyHits(int id) {
        return denyHits.sumPerCpuCounter(id);
    }

    /** The IPv4 allow-list pre-filter bitmap (DOS_PREFILTER_WORDS words). */
    public long[] readAllowPrefilter() {
        int n = DosAbi.DOS_PREFILTER_WORDS;
        byte[] keys = new byte[n * U32];
        byte[] values = new byte[n * U64];
        int read = prefilter4.lookupAll(keys, values);
        ByteBuffer k = ByteBuffer.wrap(keys).order(ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.wrap(values).order(ByteOrder.nativeOrder());
        long[] words = new long[n];
        for (int i = 0; i < read; i++) {
            words[k.getInt(i * U32)] = v.getLong(i * U64);
        }
        return words;
    }

    /** Writes the words that differ from what the map holds; returns how many. */
    public int writeAllowPrefilter(long[] words) {
        return writeAllowPrefilter(readAllowPrefilter(), words);
    }

    /** Writes the words that differ from {@code current} (what the caller knows the map holds). */
    public int writeAllowPrefilter(long[] current, long[] words) {
        return writeWords(prefilter4, 0, current, words, DosAbi.DOS_PREFILTER_WORDS);
    }

    /** Writes {@code count} entries of dos_deny24: /24 index -> value (0, id + 1 or DOS_DENY24_LPM). */
    public void writeDeny24(int[] indexes, int[] values, int count) {
        ByteBuffer keys = ByteBuffer.allocate(count * U32).order(ByteOrder.nativeOrder());
        ByteBuffer vals = ByteBuffer.allocate(count * U32).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            keys.putInt(indexes[i]);
            vals.putInt(values[i]);
        }
        deny24.updateBatch(keys.array(), vals.array(), count);
    }

    /** One dos_deny24 entry (for tests and diagnostics). */
    public int readDeny24(int slash24) {
        byte[] value = new byte[U32];
        return deny24.lookup(Codec.u32(slash24), value) ? Codec.readU32(value) : 0;
    }

    // --- sources

    /** Every tracked source (one batch read of the LRU hash). */
    public Map<DosSourceKey, DosSourceState> readSources() {
        int n = sources.maxEntries();
        byte[] keys = new byte[n * DosSourceKey.SIZE];
        byte[] values = new byte[n * DosSourceState.SIZE];
        int read = sources.lookupAll(keys, values);
        Map<DosSourceKey, DosSourceState> result = new LinkedHashMap<>();
        ByteBuffer v = ByteBuffer.wrap(values).order(ByteOrder.nativeOrder());
        for (int i = 0; i < read; i++) {
            byte[] key = Arrays.copyOfRange(keys, i * DosSourceKey.SIZE, (i + 1) * DosSourceKey.SIZE);
            result.put(DosSourceKey.decode(key), DosSourceState.decode(v, i * DosSourceState.SIZE));
        }
        return result;
    }

    public java.util.Optional<DosSourceState> readSource(DosSourceKey key) {
        byte[] value = new byte[DosSourceState.SIZE];
        return sources.lookup(key.encode(), value) ? java.util.Optional.of(DosSourceState.decode(value))
                : java.util.Optional.empty();
    }

    /** For tests and operators: overwrite a source's state (e.g. rewind its buckets' clocks). */
    public void writeSource(DosSourceKey key, DosSourceState state) {
        sources.update(key.encode(), state.encode(), UpdateFlags.ANY);
    }

    public void deleteSource(DosSourceKey key) {
        sources.delete(key.encode());
    }

    @Override
    public void close() {
        for (BpfMap map : List.of(config, allow4, allow6, deny4, deny6, denyHits, prefilter4, deny24, reflectionPorts,
                vips, vipFlowState, sources)) {
            map.close();
        }
    }

    private static int writeWords(BpfMap map, int base, long[] current, long[] wanted, int count) {
        ByteBuffer keys = ByteBuffer.allocate(count * U32).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(count * U64).order(ByteOrder.nativeOrder());
        int changed = 0;
        for (int i = 0; i < count; i++) {
            long have = i < current.length ? current[i] : 0;
            long want = i < wanted.length ? wanted[i] : 0;
            if (have != want) {
                keys.putInt(base + i);
                values.putLong(want);
                changed++;
            }
        }
        if (changed > 0) {
            map.updateBatch(Arrays.copyOf(keys.array(), changed * U32), Arrays.copyOf(values.array(), changed * U64),
                    changed);
        }
        return changed;
    }

    private static List<byte[]> keys(BpfMap map) {
        List<byte[]> keys = new ArrayList<>();
        byte[] previous = null;
        byte[] next = new byte[map.keySize()];
        while (map.nextKey(previous, next)) {
            keys.add(next);
            previous = next;
            next = new byte[map.keySize()];
        }
        return keys;
    }

}
