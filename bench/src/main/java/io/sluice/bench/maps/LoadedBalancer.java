package io.sluice.bench.maps;

import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * balancer.o loaded into the kernel (not attached, not pinned) with its maps opened through the
 * daemon's own binding: what the map-writing benchmarks write into. Needs root (CAP_BPF and
 * CAP_NET_ADMIN to create maps and load the program); {@link #requireRoot} fails a benchmark's setup
 * with a message saying so, and {@code bench/jmh.sh} leaves these benchmarks out when not root.
 */
public final class LoadedBalancer implements AutoCloseable {
    /**
     * The flow cache is not touched by the map-writing benchmarks; a small one keeps the load fast and the
     * memory low (the production default is 262,144 flows per CPU, 50 MB per CPU, in one shared table).
     */
    private static final int FLOWS_PER_CPU = 1024;

    private final BpfObject object;
    private final DataplaneMaps maps;
    private BpfMap flows;

    public LoadedBalancer() {
        this(FLOWS_PER_CPU);
    }

    /** With a flow cache for {@code flowsPerCpu} flows per CPU (the benchmarks that read it). */
    public LoadedBalancer(int flowsPerCpu) {
        requireRoot();
        object = DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()), flowsPerCpu).load();
        maps = DataplaneMaps.of(object);
    }

    public BpfObject object() {
        return object;
    }

    public DataplaneMaps maps() {
        return maps;
    }

    /**
     * The flow cache's IPv6 table (flows6c: 128-byte buckets since ABI 10; 200 in ABI 5-9), for
     * benchmarks that read or write it bucket by bucket; closed with this.
     */
    public BpfMap flows6() {
        if (flows == null) {
            flows = object.map(DataplaneAbi.MAP_FLOWS6);
        }
        return flows;
    }

    /** True when this process runs as uid 0 (the effective uid, from /proc/self/status). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    public static void requireRoot() {
        if (!isRoot()) {
            throw new IllegalStateException("this benchmark writes real BPF maps and needs root: not run as "
                    + "root (bench/jmh.sh leaves it out when not root)");
        }
    }

    @Override
    public void close() {
        if (flows != null) {
            flows.close();
        }
        maps.close();
        object.close();
    }
}
