package io.sluice.bench.dataplane;

import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.TestRunResult;
import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.DosRate;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dos.DosService;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The DoS stage's cost: the established 4in4 packet again with 100,000 IPv4 and 100,000 IPv6 deny
 * prefixes loaded (and with a per-source limit), a deny-listed source (TCP, and ICMP: the path for
 * packets without ports), a rate-limited source; then
 * the deny-list drop and xdp-filter dropping the same packet, both timed directly (a drop leaves
 * the packet as it was, so repeat needs no restoring wrapper).
 */
final class DosBench {
    static final int PREFIXES_PER_FAMILY = Integer.getInteger("sluice.bench.dos.prefixes", 100_000);
    static final InetAddress ATTACKER4 = ProgrammedBalancer.address("203.0.113.9");
    static final InetAddress LIMITED4 = ProgrammedBalancer.address("192.0.2.77");
    /** In 203.0.114.0/24, which also holds a /32 entry: its /24 slot sends the lookup to the trie. */
    static final InetAddress TRIE4 = ProgrammedBalancer.address("203.0.114.5");
    static final InetAddress ATTACKER6 = ProgrammedBalancer.address("2001:db8:bad::9");
    private static final int CLIENT_PORT = 40_000;
    private static final long SEED = 100_000;
    private static final DosRate UNREACHABLE = new DosRate(1_000_000_000, 1_000_000_000);
    private static final DosRate ONE_PER_SECOND = new DosRate(1, 1);

    private final ProgrammedBalancer balancer;
    private final PathBench bench;
    private final BenchOptions options;
    private final PrintStream out;
    private final DosMaps dos;
    private final DosService service;
    private final List<Cidr> deny;
    private final List<Cidr> allow = List.of(Cidr.parse("10.99.0.0/16"), Cidr.parse("2001:db8:99::/48"));

    DosBench(ProgrammedBalancer balancer, PathBench bench, BenchOptions options, PrintStream out) {
        this.balancer = balancer;
        this.bench = bench;
        this.options = options;
        this.out = out;
        this.dos = DosMaps.of(balancer.object());
        this.service = new DosService(dos, this::vipIds, balancer.maps()::reasonCounts, Clock.systemUTC(), null);
        this.deny = denyList();
    }

    private Map<VipKey, Integer> vipIds() {
        Map<VipKey, Integer> ids = new HashMap<>();
        balancer.maps().readVips().forEach((k, m) -> ids.put(k, m.vipId()));
        return ids;
    }

    /** 100,000 random IPv4 prefixes (/16 to /32) away from the clients, 100,000 IPv6, and the attacker's /24. */
    private static List<Cidr> denyList() {
        Random random = new Random(SEED);
        Set<Cidr> v4 = new LinkedHashSet<>();
        v4.add(Cidr.parse("203.0.113.0/24"));
        v4.add(Cidr.parse("203.0.114.0/24"));
        v4.add(Cidr.parse("203.0.114.9/32"));
        while (v4.size() < PREFIXES_PER_FAMILY) {
            int length = 16 + random.nextInt(17);
            int addr = (random.nextInt(200) + 11) << 24 | random.nextInt(1 << 24);
            addr &= length == 0 ? 0 : -1 << (32 - length);
            if ((addr >>> 24) == 192 || (addr >>> 24) == 198) {
                continue; // keep the clients and the VIPs out of it
            }
            v4.add(Cidr.parse(((addr >>> 24) & 0xff) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff)
                    + "." + (addr & 0xff) + "/" + length));
        }
        Set<Cidr> v6 = new LinkedHashSet<>();
        v6.add(Cidr.parse("2001:db8:bad::/48"));
        while (v6.size() < PREFIXES_PER_FAMILY) {
            v6.add(Cidr.parse(String.format("2a%02x:%x:%x::/48", random.nextInt(256), random.nextInt(0x10000),
                    random.nextInt(0x10000))));
        }
        List<Cidr> all = new ArrayList<>(v4);
        all.addAll(v6);
        return all;
    }

    private void configure(DosRate sourcePackets) {
        long start = System.nanoTime();
        service.apply(new DosConfig(allow, deny, sourcePackets, DosRate.NONE, true,
                DosConfig.DEFAULT_REFLECTION_PORTS, DosConfig.AutoBlock.OFF), List.of(), "bench");
        out.printf("DoS rules applied (%,d deny prefixes, per-source packet limit %s) in %.1f s.%n%n", deny.size(),
                sourcePackets.limits() ? sourcePackets.rate() + "/s" : "none", (System.nanoTime() - start) / 1e9);
    }

    List<PathTiming> wrapped(RestoreWrapper wrapper) {
        BpfProgram lb = balancer.program();
        BenchFrame established = tcp(ProgrammedBalancer.CLIENT4).sameFlow();
        List<PathTiming> timings = new ArrayList<>();
        // The same packet with the stage idle, timed right before the rules load: the difference
        // to the next row is what the loaded rule set costs a clean packet.
        timings.add(bench.time(new Scenario("established flow, 4in4, DoS stage idle (no rules)", established, lb,
                XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv4())));
        configure(DosRate.NONE);
        timings.add(bench.time(new Scenario("established flow, 4in4, DoS: 100k+100k deny, allow list, sanity", established,
                lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv4())));
        timings.addAll(otherPathsWithRules(lb, wrapper, ", DoS on"));
        timings.add(bench.time(new Scenario("deny-listed source, 100k+100k prefixes", tcp(ATTACKER4).sameFlow(), lb,
                XdpAction.DROP, () -> balancer.reasonCount(Reason.DROP_DENY_LIST))));
        timings.add(bench.time(new Scenario("deny-listed source, ICMP echo (no ports: source read again)",
                Frames.icmpEcho4((Inet4Address) ATTACKER4, (Inet4Address) ProgrammedBalancer.VIP_4IN4), lb,
                XdpAction.DROP, () -> balancer.reasonCount(Reason.DROP_DENY_LIST))));
        timings.add(bench.time(new Scenario("deny-listed IPv6 source (LPM trie, 100k IPv6 prefixes)",
                Frames.tcp(ATTACKER6, ProgrammedBalancer.VIP_6IN6, CLIENT_PORT, ProgrammedBalancer.SERVICE_PORT)
                        .sameFlow(), lb, XdpAction.DROP, () -> balancer.reasonCount(Reason.DROP_DENY_LIST))));
        timings.add(bench.time(new Scenario("deny-listed source whose /24 holds a longer prefix (trie walk)",
                tcp(TRIE4).sameFlow(), lb, XdpAction.DROP, () -> balancer.reasonCount(Reason.DROP_DENY_LIST))));
        configure(UNREACHABLE);
        timings.add(bench.time(new Scenario("established flow, 4in4, DoS as above + per-source packet limit",
                established, lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT))
                .withHeadBaseline(wrapper.pushIpv4())));
        // Every iteration a new source (the wrapper varies the address): each one also gets a
        // per-source bucket, the worst case of the limit.
        timings.add(bench.time(new Scenario("new flow, 4in4, DoS + per-source limit (new source each packet)",
                tcp(ProgrammedBalancer.CLIENT4), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_MISS))
                .withHeadBaseline(wrapper.pushIpv4()).withWarmup(DataplaneBench.newFlowWarmup(balancer))));
        configure(ONE_PER_SECOND);
        timings.add(bench.time(new Scenario("rate-limited source (bucket empty)", tcp(LIMITED4).sameFlow(), lb,
                XdpAction.DROP, () -> balancer.reasonCount(Reason.DROP_SOURCE_RATE))));
        return timings;
    }

    /**
     * The paths of the first table that the rows above do not repeat (non-VIP, new flow, the
     * other encapsulations), with the rules loaded: every path a packet can take, DoS stage on.
     */
    private List<PathTiming> otherPathsWithRules(BpfProgram lb, RestoreWrapper wrapper, String suffix) {
        InetAddress client6 = ProgrammedBalancer.CLIENT6;
        return List.of(
                bench.time(new Scenario("non-VIP packet, IPv4 TCP" + suffix,
                        Frames.tcp(ProgrammedBalancer.CLIENT4, ProgrammedBalancer.NOT_A_VIP, CLIENT_PORT,
                                ProgrammedBalancer.SERVICE_PORT).sameFlow(), lb, XdpAction.PASS,
                        () -> balancer.reasonCount(Reason.PASS_NOT_VIP))),
                bench.time(new Scenario("new flow, 4in4" + suffix + " (table full, every insert evicts)",
                        tcp(ProgrammedBalancer.CLIENT4), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_MISS))
                        .withHeadBaseline(wrapper.pushIpv4()).withWarmup(DataplaneBench.newFlowWarmup(balancer))),
                bench.time(new Scenario("new flow, 4in4, the same TCP SYN again" + suffix + " (its bucket in cache)",
                        Frames.tcpSyn(ProgrammedBalancer.CLIENT4, ProgrammedBalancer.VIP_4IN4, CLIENT_PORT,
                                ProgrammedBalancer.SERVICE_PORT).sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_SYN_REPLACED)).withHeadBaseline(wrapper.pushIpv4())),
                bench.time(new Scenario("established flow, 6in6" + suffix,
                        Frames.tcp(client6, ProgrammedBalancer.VIP_6IN6, CLIENT_PORT, ProgrammedBalancer.SERVICE_PORT)
                                .sameFlow(), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT))
                        .withHeadBaseline(wrapper.pushIpv6())),
                bench.time(new Scenario("established flow, 4in6" + suffix,
                        Frames.tcp(ProgrammedBalancer.CLIENT4, ProgrammedBalancer.VIP_4IN6, CLIENT_PORT,
                                ProgrammedBalancer.SERVICE_PORT).sameFlow(), lb, XdpAction.TX,
                        () -> balancer.reasonCount(Reason.FLOW_HIT)).withHeadBaseline(wrapper.pushIpv6())),
                bench.time(new Scenario("established flow, 6in4" + suffix,
                        Frames.tcp(client6, ProgrammedBalancer.VIP_6IN4, CLIENT_PORT, ProgrammedBalancer.SERVICE_PORT)
                                .sameFlow(), lb, XdpAction.TX, () -> balancer.reasonCount(Reason.FLOW_HIT))
                        .withHeadBaseline(wrapper.pushIpv4())));
    }

    /** The deny-list drop and xdp-filter's drop of the same frame, each program run directly. */
    void direct(int xdpFilterProgramId) {
        configure(DosRate.NONE);
        byte[] frame = tcp(ATTACKER4).sameFlow().bytes();
        Summary ours = directRuns(balancer.program(), frame);
        out.printf("Drops timed directly: %d runs x %,d repeats of the program on one frame (IPv4 TCP from %s); "
                + "ns/packet, kernel's mean per run.%n%n", options.runs(), options.repeat(), ATTACKER4.getHostAddress());
        out.println("| program | min / median / max ns |");
        out.println("| --- | --- |");
        out.printf("| sluice balancer, deny list (100k IPv4 + 100k IPv6 prefixes) | %s |%n", ours.format());
        if (xdpFilterProgramId > 0) {
            try (BpfProgram filter = BpfProgram.fromId(xdpFilterProgramId)) {
                Summary theirs = directRuns(filter, frame);
                out.printf("| xdp-filter (%s, id %d), `xdp-filter ip %s --mode src` | %s |%n", filter.name(),
                        xdpFilterProgramId, ATTACKER4.getHostAddress(), theirs.format());
                out.printf("%nsluice / xdp-filter (medians): %.2f%n", ours.median() / theirs.median());
            }
        }
        out.println();
    }

    private Summary directRuns(BpfProgram program, byte[] frame) {
        program.testRun(frame, Scenario.DEFAULT_WARMUP_REPEAT);
        double[] samples = new double[options.runs()];
        for (int run = 0; run < options.runs(); run++) {
            TestRunResult result = program.testRun(frame, options.repeat());
            PathBench.requireAction(program.name() + " direct", XdpAction.DROP, result);
            samples[run] = result.durationNs();
        }
        return Summary.of(samples);
    }

    private static BenchFrame tcp(InetAddress client) {
        return Frames.tcp(client, ProgrammedBalancer.VIP_4IN4, CLIENT_PORT, ProgrammedBalancer.SERVICE_PORT);
    }
}
