package io.sluice.bench.dataplane;

import static io.sluice.bench.dataplane.ProgrammedBalancer.CLIENT4;
import static io.sluice.bench.dataplane.ProgrammedBalancer.CLIENT6;
import static io.sluice.bench.dataplane.ProgrammedBalancer.SERVICE_PORT;

import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DecapReason;
import io.sluice.lb.dataplane.FlowFamily;
import io.sluice.lb.dataplane.Reason;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ns/packet of the XDP programs through BPF_PROG_TEST_RUN, printed as markdown.
 * Run as root: {@code bench/dataplane.sh} (builds, pins to one CPU, runs this).
 * Options: see {@link BenchOptions}.
 */
public final class DataplaneBench {
    private static final int CLIENT_PORT = 40_000;
    private static final String ESTABLISHED_4IN4 = "established flow, 4in4";
    private static final String DECAP_4IN4 = "decap, 4in4 (decap.o)";
    private static final String NEW_FLOW_4IN4 = "new flow, 4in4 (miss + Maglev + insert evicting the oldest way)";
    private static final String NEW_FLOW_SYN_4IN4 =
            "new flow, 4in4, TCP SYN (miss + Maglev + insert evicting)";
    private static final String NEW_FLOW_6IN6 = "new flow, 6in6 (the IPv6 table: miss + Maglev + insert evicting)";
    private static final String NEW_FLOW_SYN_AGAIN_4IN4 =
            "new flow, 4in4, the same TCP SYN again (Maglev + rewrite in place, its bucket in cache)";
    /** A region the CPU's own cache holds (its L2 is 512 KB here), for the memory probe's second row. */
    private static final long CACHED_REGION_BYTES = 256 * 1024;
    /**
     * New-flow warm-up: 4 inserts per slot of the flow cache, so every bucket is full (a bucket
     * with fewer than 4 of ~16 expected keys is vanishingly rare) and every timed insert evicts,
     * the steady state of a busy LB.
     */
    private static final int NEW_FLOW_WARMUP_PER_SLOT = 4;

    private DataplaneBench() {}

    public static void main(String[] args) {
        BenchOptions options = BenchOptions.parse(args);
        MarkdownReport report = new MarkdownReport(System.out);
        try (ProgrammedBalancer balancer = new ProgrammedBalancer(options.flowTableSize());
             LoadedDecap decap = new LoadedDecap();
             RestoreWrapper wrapper = new RestoreWrapper()) {
            PathBench bench = new PathBench(wrapper, options);
            List<PathTiming> timings = new ArrayList<>();
            long occupiedAfterNewFlows = 0;
            for (Scenario scenario : wrappedScenarios(balancer, decap, wrapper)) {
                if (!options.times(scenario.path())) {
                    continue;
                }
                timings.add(bench.time(scenario));
                if (scenario.path().equals(NEW_FLOW_4IN4)) {
                    occupiedAfterNewFlows = balancer.flowCount();
                }
            }
            if (timings.isEmpty()) {
                throw new IllegalArgumentException("--only " + options.only() + " names no path");
            }
            Summary wrapperAlone = timings.stream().filter(t -> t.path().equals(ESTABLISHED_4IN4))
                    .findFirst().orElse(timings.get(0)).wrapperAlone();
            report.wrapped(options, wrapperAlone, timings);
            if (options.times(NEW_FLOW_4IN4)) {
                report.flowCacheOccupancy(occupiedAfterNewFlows, balancer.flowSlots());
            }
            if (options.times(NEW_FLOW_SYN_4IN4) || options.times(NEW_FLOW_4IN4)) {
                report.memoryLatency("IPv4", balancer.flowTableBytes(FlowFamily.IPV4),
                        new MemoryLatencyProbe(balancer.flowTableBytes(FlowFamily.IPV4)).measure(options.runs()),
                        CACHED_REGION_BYTES, new MemoryLatencyProbe(CACHED_REGION_BYTES).measure(options.runs()));
            }
            if (options.times(NEW_FLOW_6IN6)) {
                report.memoryLatency("IPv6", balancer.flowTableBytes(FlowFamily.IPV6),
                        new MemoryLatencyProbe(balancer.flowTableBytes(FlowFamily.IPV6)).measure(options.runs()),
                        CACHED_REGION_BYTES, new MemoryLatencyProbe(CACHED_REGION_BYTES).measure(options.runs()));
            }
            if (!options.wholeRun()) {
                return;
            }

            if (options.singleRuns() > 0) {
                SingleRunBench single = new SingleRunBench(options.singleRuns());
                List<Map.Entry<String, Summary>> rows = new ArrayList<>();
                for (Scenario scenario : singleRunScenarios(balancer, decap, wrapper)) {
                    rows.add(Map.entry(scenario.path(), single.time(scenario)));
                }
                report.singleRuns(options.singleRuns(), rows);
            }

            if (options.dos()) {
                // Last: the DoS rules change the balancer's maps for good.
                DosBench dos = new DosBench(balancer, bench, options, System.out);
                List<PathTiming> dosTimings = dos.wrapped(wrapper);
                report.wrapped(options, wrapperAlone, dosTimings);
                dos.direct(options.xdpFilterProgramId());
            }
        }
    }

    private static List<Scenario> wrappedScenarios(ProgrammedBalancer balancer, LoadedDecap decap,
                                                   RestoreWrapper wrapper) {
        BpfProgram lb = balancer.program();
        BenchFrame to4in4 = tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4);
        return List.of(
                new Scenario("non-VIP packet, IPv4 TCP", tcp(CLIENT4, ProgrammedBalancer.NOT_A_VIP).sameFlow(), lb,
                        XdpAction.PASS, () -> balancer.reasonCount(Reason.PASS_NOT_VIP)),
                new Scenario(ESTABLISHED_4IN4, to4in4.sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv4()),
                new Scenario("established flow, 4in4, pure ACK in a padded 60-byte frame",
                        Frames.pureAckPadded((Inet4Address) CLIENT4, (Inet4Address) ProgrammedBalancer.VIP_4IN4,
                                CLIENT_PORT, SERVICE_PORT).sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv4()),
                new Scenario(NEW_FLOW_4IN4, to4in4, lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_MISS)).withHeadBaseline(wrapper.pushIpv4())
                        .withWarmup(newFlowWarmup(balancer)),
                new Scenario(NEW_FLOW_SYN_4IN4, Frames.tcpSyn(CLIENT4, ProgrammedBalancer.VIP_4IN4, CLIENT_PORT,
                        SERVICE_PORT), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_MISS))
                        .withHeadBaseline(wrapper.pushIpv4()).withWarmup(newFlowWarmup(balancer)),
                // What a repeated test-run packet measures: the same SYN every iteration, so the
                // bucket it reads and rewrites stays in cache (a retransmitted SYN takes this path).
                new Scenario(NEW_FLOW_SYN_AGAIN_4IN4, Frames.tcpSyn(CLIENT4, ProgrammedBalancer.VIP_4IN4, CLIENT_PORT,
                        SERVICE_PORT).sameFlow(), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_SYN_REPLACED))
                        .withHeadBaseline(wrapper.pushIpv4()),
                new Scenario("established flow, 6in6", tcp(CLIENT6, ProgrammedBalancer.VIP_6IN6).sameFlow(), lb,
                        XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv6()),
                // IPv6 flows have a table of their own (flows6c, 128-byte buckets): its new flow, table full.
                new Scenario(NEW_FLOW_6IN6, tcp(CLIENT6, ProgrammedBalancer.VIP_6IN6), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_MISS)).withHeadBaseline(wrapper.pushIpv6())
                        .withWarmup(newFlowWarmup(balancer)),
                new Scenario("established flow, 4in6", tcp(CLIENT4, ProgrammedBalancer.VIP_4IN6).sameFlow(), lb,
                        XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv6()),
                new Scenario("established flow, 6in4", tcp(CLIENT6, ProgrammedBalancer.VIP_6IN4).sameFlow(), lb,
                        XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv4()),
                new Scenario(DECAP_4IN4, tunnelled4in4(), decap.program(), XdpAction.PASS,
                        () -> decap.count(DecapReason.DONE)).withHeadBaseline(wrapper.pullIpv4()),
                new Scenario("established flow, 4in4 with a draining previous owner (two layers)",
                        tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4_SECOND_CHANCE).sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.TX_SECOND_CHANCE)),
                // A remembered flow whose bucket the table now gives another backend (a stale entry of a
                // reused 5-tuple, or a flow that started before the bucket moved): the slot is read on
                // every packet, which goes to the remembered backend with the table's owner behind.
                new Scenario("established flow, 4in4, its bucket moved since (slot read + two layers)",
                        tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4_MOVED).sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_MOVED))
                        .withSetup(() -> balancer.rememberOnAnotherBackend(CLIENT4, CLIENT_PORT)),
                new Scenario("decap, two layers, no local socket: sent on (sk lookup + XDP_TX)", twiceTunnelled4in4(),
                        decap.program(), XdpAction.TX, () -> decap.count(DecapReason.SECOND_CHANCE_FORWARD))
                        .withHeadBaseline(wrapper.pullIpv4()));
    }

    static int newFlowWarmup(ProgrammedBalancer balancer) {
        return Math.toIntExact(NEW_FLOW_WARMUP_PER_SLOT * balancer.flowSlots());
    }

    /** What the current owner receives for a bucket whose previous owner drains. */
    private static BenchFrame twiceTunnelled4in4() {
        return Frames.ipInIp4((Inet4Address) ProgrammedBalancer.address("10.0.0.1"),
                (Inet4Address) ProgrammedBalancer.address("10.2.1.1"),
                Frames.ipInIp4((Inet4Address) ProgrammedBalancer.address("10.0.0.1"),
                        (Inet4Address) ProgrammedBalancer.address("10.2.1.2"),
                        tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4_SECOND_CHANCE).sameFlow()));
    }

    /** What a backend receives from the LB for a 4in4 flow. */
    private static BenchFrame tunnelled4in4() {
        return Frames.ipInIp4((Inet4Address) ProgrammedBalancer.address("10.0.0.1"),
                (Inet4Address) ProgrammedBalancer.address("10.2.1.1"),
                tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4).sameFlow());
    }

    private static List<Scenario> singleRunScenarios(ProgrammedBalancer balancer, LoadedDecap decap,
                                                     RestoreWrapper wrapper) {
        BenchFrame to4in4 = tcp(CLIENT4, ProgrammedBalancer.VIP_4IN4).sameFlow();
        return List.of(
                Scenario.verdictOnly("xdp_pass (fixed cost of a repeat=1 run)", to4in4, wrapper.passThrough(),
                        XdpAction.PASS),
                new Scenario(ESTABLISHED_4IN4, to4in4, balancer.program(), XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_HIT)),
                new Scenario(DECAP_4IN4, tunnelled4in4(), decap.program(), XdpAction.PASS,
                        () -> decap.count(DecapReason.DONE)));
    }

    private static BenchFrame tcp(InetAddress client, InetAddress vip) {
        return Frames.tcp(client, vip, CLIENT_PORT, SERVICE_PORT);
    }
}
