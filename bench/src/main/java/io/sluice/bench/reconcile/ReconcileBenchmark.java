package io.sluice.bench.reconcile;

import io.sluice.bench.maps.LoadedBalancer;
import io.sluice.bench.maps.ThreadCpuBenchmark;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.reconcile.DesiredBackend;
import io.sluice.lb.reconcile.DesiredState;
import io.sluice.lb.reconcile.DesiredVip;
import io.sluice.lb.reconcile.ReconcileReport;
import io.sluice.lb.reconcile.Reconciler;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The reconcile path after a config change, through the real libbpf binding on real maps: the
 * daemon's {@link Reconciler} applies a {@link DesiredState} (what DesiredStateBuilder makes of the
 * config: one VIP record per configured VIP, one backend record per backend) to a loaded
 * balancer.o. Each benchmark checks from the {@link ReconcileReport} that the intended path ran
 * (one table swapped, or none), so a figure cannot come from a reconcile that did nothing.
 * <ul>
 *   <li>{@code weightChange}: one backend of the first VIP changes weight (what `sluice backend
 *       weight` or a config reload does): read VIPs and backends, rebuild every VIP's Maglev table,
 *       swap the one that changed;</li>
 *   <li>{@code backendAddRemove}: a backend joins the first VIP, next time leaves it: one backend
 *       entry written or cleared, one table swapped;</li>
 *   <li>{@code unchanged}: the same state again (a reload that changes nothing): all reads and
 *       table builds, no write.</li>
 * </ul>
 * Parsing the YAML and building the DesiredState are not included (field copies; the Maglev
 * build dominates, see MaglevBuildBenchmark). Root only (real maps).
 * Run: java -jar bench/target/benchmarks.jar Reconcile -f 1 -wi 3 -i 5 -prof gc
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReconcileBenchmark extends ThreadCpuBenchmark {
    private static final int TABLE_SIZE = 65537;
    private static final int PORT = 80;
    private static final int BASE_WEIGHT = 100;
    private static final int CHANGED_WEIGHT = 150;
    private static final int MTU = 1500;
    private static final byte[] GATEWAY_MAC = {2, 0, 0, 0, 0, 1};

    @Param({"1", "10"})
    public int vips;

    @Param({"100", "1000"})
    public int backendsPerVip;

    private LoadedBalancer balancer;
    private Reconciler reconciler;
    private LbConfigEntry settings;
    private List<List<DesiredBackend>> pools;
    private DesiredBackend extra;
    private DesiredState base;
    private DesiredState weightChanged;
    private DesiredState withExtra;
    private boolean changed;

    @Setup
    public void setUp() throws UnknownHostException {
        balancer = new LoadedBalancer();
        reconciler = new Reconciler(balancer.maps());
        settings = new LbConfigEntry(GATEWAY_MAC, MTU, (Inet4Address) InetAddress.getByName("10.0.0.0"), 0xff,
                (Inet6Address) InetAddress.getByName("fd00::"), 0xffff, 0);
        pools = new ArrayList<>();
        for (int v = 0; v < vips; v++) {
            List<DesiredBackend> pool = new ArrayList<>();
            for (int b = 0; b < backendsPerVip; b++) {
                pool.add(new DesiredBackend(backendAddress(v, b), BASE_WEIGHT));
            }
            pools.add(pool);
        }
        extra = new DesiredBackend(backendAddress(0, backendsPerVip), BASE_WEIGHT);
        base = state(pools.get(0));
        List<DesiredBackend> reweighted = new ArrayList<>(pools.get(0));
        reweighted.set(0, new DesiredBackend(reweighted.get(0).address(), CHANGED_WEIGHT));
        weightChanged = state(reweighted);
        List<DesiredBackend> grown = new ArrayList<>(pools.get(0));
        grown.add(extra);
        withExtra = state(grown);
        ReconcileReport first = reconciler.apply(base);
        expect(first.tablesSwapped() == vips, "first apply swaps every table", first);
    }

    @TearDown
    public void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
    }

    @Benchmark
    public ReconcileReport weightChange() {
        op();
        changed = !changed;
        ReconcileReport report = reconciler.apply(changed ? weightChanged : base);
        expect(report.tablesSwapped() == 1 && report.backendsAdded() == 0, "one table swapped", report);
        return report;
    }

    @Benchmark
    public ReconcileReport backendAddRemove() {
        op();
        changed = !changed;
        ReconcileReport report = reconciler.apply(changed ? withExtra : base);
        expect(report.tablesSwapped() == 1 && report.backendsAdded() + report.backendsRemoved() == 1,
                "one backend written and one table swapped", report);
        return report;
    }

    @Benchmark
    public ReconcileReport unchanged() {
        op();
        if (changed) { // a previous benchmark of this trial may have left the other state in place
            reconciler.apply(base);
            changed = false;
        }
        ReconcileReport report = reconciler.apply(base);
        expect(!report.changedAnything(), "nothing written", report);
        return report;
    }

    /** The first VIP's backends as given, every other VIP as set up. */
    private DesiredState state(List<DesiredBackend> firstPool) {
        List<DesiredVip> desired = new ArrayList<>();
        for (int v = 0; v < vips; v++) {
            desired.add(new DesiredVip("vip" + v, new VipKey(vipAddress(v), PORT, Protocol.TCP), TABLE_SIZE,
                    v == 0 ? firstPool : pools.get(v)));
        }
        return new DesiredState(settings, desired);
    }

    private static void expect(boolean condition, String what, ReconcileReport report) {
        if (!condition) {
            throw new IllegalStateException("reconcile did not take the benchmarked path (" + what + "): "
                    + report.toLogFields());
        }
    }

    private static InetAddress vipAddress(int v) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) (1 + v)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress backendAddress(int vip, int index) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (10 + vip), (byte) (index >> 8), (byte) index});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
