package io.sluice.lb.dos;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.lb.bpf.CoarseClock;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.DosRate;
import io.sluice.lb.dataplane.LpmPrefix;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.status.DaemonStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the DoS stage: keeps the DoS maps equal to the config plus the run-time
 * blocks, runs automatic mitigation, and answers for the status file, the admin API and the CLI.
 *
 * <p>Call from one thread (the daemon's); methods are synchronized so a reader on another thread
 * (an admin API snapshot) sees a consistent state. Every block and unblock is logged as key=value
 * and counted.
 */
public final class DosService {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    /** The reasons a status or snapshot shows as DoS drops. */
    public static final Set<Reason> DOS_REASONS = EnumSet.of(Reason.DROP_DENY_LIST, Reason.DROP_SOURCE_RATE,
            Reason.DROP_SOURCE_FLOW_RATE, Reason.DROP_VIP_FLOW_CEILING, Reason.DROP_TCP_FLAGS,
            Reason.DROP_REFLECTION, Reason.DROP_FRAGMENT, Reason.PASS_FRAGMENT, Reason.DROP_TRUNCATED,
            Reason.DOS_ALLOWED);

    private final DosMaps maps;
    private final Supplier<Map<VipKey, Integer>> vipIds;
    private final Supplier<Map<Reason, Long>> reasonCounts;
    private final Clock clock;
    private final BlockList blocks;
    private final DosApplier applier;
    private final RateWatch rates = new RateWatch();
    private final DosMetrics metrics;
    private DosConfig config = DosConfig.DEFAULT;
    private List<VipConfig> vips = List.of();
    private volatile DosRules inForce;
    private Map<VipKey, Integer> appliedVipIds = Map.of();
    private boolean dirty;
    private boolean maxBlocksLogged;

    /**
     * @param vipIds       the VIP ids the reconciler gave out (read from the vips map)
     * @param reasonCounts the balancer's per-reason counters, summed over CPUs
     * @param registry     where the DoS metrics go; null = none
     */
    public DosService(DosMaps maps, Supplier<Map<VipKey, Integer>> vipIds, Supplier<Map<Reason, Long>> reasonCounts,
                      Clock clock, PrometheusRegistry registry) {
        this.maps = maps;
        this.vipIds = vipIds;
        this.reasonCounts = reasonCounts;
        this.clock = clock;
        this.applier = new DosApplier(maps);
        this.blocks = new BlockList(clock, this::expired);
        this.metrics = registry == null ? null : new DosMetrics(registry, this::activeBlocks, this::denyEntries);
    }

    /**
     * Makes the maps hold this config's rules (plus the run-time blocks). Throws, with nothing in
     * force changed, when the rules do not fit the maps; a failed write is retried by the next call.
     */
    public synchronized void apply(DosConfig dos, List<VipConfig> vipConfigs, String cause) {
        Map<VipKey, Integer> ids = vipIds.get();
        if (!dirty && inForce != null && dos.equals(config) && vipConfigs.equals(vips) && ids.equals(appliedVipIds)) {
            return; // every reconcile calls this (slow start: each second): nothing to do unless an input changed
        }
        DosRules rules = DosRules.of(dos, vipConfigs, ids, blocks.active().values());
        config = dos;
        vips = List.copyOf(vipConfigs);
        write(rules, cause);
        appliedVipIds = Map.copyOf(ids);
        logRaisedBursts(dos, vipConfigs);
    }

    /** Says which configured bursts the program's clock raises: an operator sees why a limit allows more. */
    private void logRaisedBursts(DosConfig dos, List<VipConfig> vipConfigs) {
        long tick = CoarseClock.tickNanos();
        for (RaisedBurst raised : RaisedBurst.in(dos, vipConfigs, tick)) {
            log.info("event=dos_burst_raised {} clock_tick_us={}", raised.logFields(), tick / 1_000);
        }
    }

    /** The once-a-second work: lift expired blocks, block sources over the threshold, retry a failed apply. */
    public synchronized void tick() {
        blocks.expire();
        if (config.autoBlock().enabled()) {
            autoBlock();
        }
        if (dirty || inForce == null) {
            write(DosRules.of(config, vips, vipIds.get(), blocks.active().values()), "blocks");
        }
    }

    /**
     * Blocks a prefix at run time (admin API / CLI). {@code ttl} empty = until unblocked.
     *
     * @throws IllegalArgumentException if an allow-list entry covers the prefix (it would have no effect)
     *                                  or the deny list is full; nothing changes then
     */
    public synchronized Block block(LpmPrefix prefix, Optional<Duration> ttl, String reason) {
        if (ttl.isPresent() && (ttl.get().isNegative() || ttl.get().isZero())) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl.get());
        }
        Instant now = clock.instant();
        Block block = new Block(prefix, Block.Origin.MANUAL, reason, now, ttl.map(now::plus));
        put(block, "block");
        logBlock(block, "");
        return block;
    }

    /**
     * Puts back blocks kept over a restart, each with its own (remaining) expiry; an expired one,
     * or one the allow list now covers, is skipped and logged. Call after the first {@link #apply}.
     *
     * @return the blocks now in force
     */
    public synchronized List<Block> restore(Collection<Block> kept) {
        List<Block> restored = new ArrayList<>();
        Instant now = clock.instant();
        for (Block block : kept) {
            if (block.expiresAt().isPresent() && !block.expiresAt().get().isAfter(now)) {
                continue; // expired while the daemon was down
            }
            try {
                put(block, "restore");
            } catch (RuntimeException e) {
                log.warn("event=dos_block_not_restored source={} reason=\"{}\"", block.prefix(), e.getMessage());
                continue;
            }
            log.info("event=dos_block_restored origin={} source={} reason={} expires_at={}", block.origin().label(),
                    block.prefix(), block.reason(), block.expiresAt().map(Instant::toString).orElse("never"));
            if (metrics != null) {
                metrics.blocked(block);
            }
            restored.add(block);
        }
        return restored;
    }

    /** True when an allow-list entry of {@code dos} covers {@code prefix}: a block of it would have no effect. */
    public static boolean allowed(DosConfig dos, LpmPrefix prefix) {
        return Prefixes.anyCovers(dos.allow().stream().map(DosRules::prefix).collect(Collectors.toSet()), prefix);
    }

    private void put(Block block, String cause) {
        LpmPrefix prefix = block.prefix();
        if (allowed(config, prefix)) {
            throw new IllegalArgumentException(prefix + " is covered by the allow list: a block would have no effect");
        }
        Optional<Block> previous = blocks.get(prefix);
        List<Block> wanted = new ArrayList<>(blocks.active().values());
        wanted.add(block);
        DosRules rules = DosRules.of(config, vips, vipIds.get(), wanted); // throws when it does not fit
        blocks.put(block);
        try {
            write(rules, cause);
        } catch (RuntimeException e) {
            previous.ifPresentOrElse(blocks::put, () -> blocks.remove(prefix));
            throw e;
        }
    }

    /** {@link #block(LpmPrefix, Optional, String)} for a prefix parsed by the config package (admin API, CLI). */
    public Block block(Cidr prefix, Optional<Duration> ttl, String reason) {
        return block(DosRules.prefix(prefix), ttl, reason);
    }

    public Optional<Block> unblock(Cidr prefix) {
        return unblock(DosRules.prefix(prefix));
    }

    /** Lifts a run-time block (config entries stay); empty if there was none. */
    public synchronized Optional<Block> unblock(LpmPrefix prefix) {
        Optional<Block> removed = blocks.remove(prefix);
        removed.ifPresent(b -> {
            logUnblock(b, "removed");
            dirty = true;
            write(DosRules.of(config, vips, vipIds.get(), blocks.active().values()), "unblock");
        });
        return removed;
    }

    public synchronized Map<LpmPrefix, Block> blocks() {
        return blocks.active();
    }

    /**
     * The rules in force, blocks, hit counts and drop counters. {@code withHits} reads every deny
     * entry's counter (one lookup each: use it on demand, not every second with a long list).
     */
    public synchronized DosSnapshot snapshot(boolean withHits) {
        Map<LpmPrefix, Block> active = blocks.active();
        List<DosSnapshot.DenyEntry> deny = new ArrayList<>();
        for (var c : config.deny()) {
            LpmPrefix p = DosRules.prefix(c);
            deny.add(new DosSnapshot.DenyEntry(p.toString(), "config", withHits ? hits(p) : -1));
        }
        List<DosSnapshot.BlockView> views = new ArrayList<>();
        for (Block b : active.values()) {
            long hits = hits(b.prefix());
            views.add(new DosSnapshot.BlockView(b.prefix().toString(), b.origin().label(), b.reason(),
                    b.blockedAt().toString(), b.expiresAt().map(Instant::toString).orElse(null), hits));
            deny.add(new DosSnapshot.DenyEntry(b.prefix().toString(), b.origin().label(), hits));
        }
        views.sort((a, b) -> a.prefix().compareTo(b.prefix()));
        Map<String, Long> drops = dosDrops();
        var ab = config.autoBlock();
        long tick = CoarseClock.tickNanos();
        DosRate packets = config.sourcePackets();
        DosRate flows = config.sourceNewFlows();
        DosSnapshot.Limits limits = new DosSnapshot.Limits(packets.rate(), packets.burst(),
                packets.effectiveBurst(tick), flows.rate(), flows.burst(), flows.effectiveBurst(tick), tick / 1_000,
                config.tcpFlags(), config.reflectionPorts(), ab.packetsPerSecond(),
                ab.enabled() ? ab.duration().toSeconds() : 0, ab.maxBlocks());
        return new DosSnapshot(config.allow().stream().map(Object::toString).toList(), deny, views, limits, drops);
    }

    /** The status file's DoS section: cheap enough for every refresh (hit counters of blocks only). */
    public synchronized DaemonStatus.DosStatus status() {
        List<DaemonStatus.BlockStatus> views = new ArrayList<>();
        for (Block b : blocks.active().values()) {
            views.add(new DaemonStatus.BlockStatus(b.prefix().toString(), b.origin().label(), b.reason(),
                    b.blockedAt().toString(), b.expiresAt().map(Instant::toString).orElse(null), hits(b.prefix())));
        }
        views.sort((a, b) -> a.prefix().compareTo(b.prefix()));
        DosRules rules = inForce;
        return new DaemonStatus.DosStatus(rules == null ? 0 : rules.allow().size(),
                rules == null ? 0 : rules.deny().size(), views, dosDrops());
    }

    private Map<String, Long> dosDrops() {
        Map<String, Long> drops = new TreeMap<>();
        reasonCounts.get().forEach((reason, count) -> {
            if (DOS_REASONS.contains(reason)) {
                drops.put(reason.label(), count);
            }
        });
        return drops;
    }

    private long hits(LpmPrefix p) {
        Integer id = applier.denyId(p);
        return id == null ? 0 : maps.denyHits(id);
    }

    private void autoBlock() {
        DosConfig.AutoBlock policy = config.autoBlock();
        Instant now = clock.instant();
        Set<LpmPrefix> allow = config.allow().stream().map(DosRules::prefix).collect(Collectors.toSet());
        for (RateWatch.Rate rate : rates.over(maps.readSources(), now, policy.packetsPerSecond())) {
            LpmPrefix prefix = rate.source().prefix();
            if (Prefixes.anyCovers(allow, prefix) || blocks.get(prefix).isPresent()) {
                continue; // the allow list is never auto-blocked
            }
            if (blocks.size() >= policy.maxBlocks()) {
                if (!maxBlocksLogged) {
                    log.warn("event=dos_auto_block_skipped source={} reason=max_blocks max_blocks={}", prefix,
                            policy.maxBlocks());
                    maxBlocksLogged = true;
                }
                continue;
            }
            Block block = new Block(prefix, Block.Origin.AUTO, "rate", now, Optional.of(now.plus(policy.duration())));
            blocks.put(block);
            dirty = true;
            logBlock(block, " pps=" + Math.round(rate.packetsPerSecond()) + " threshold=" + policy.packetsPerSecond());
        }
    }

    private void write(DosRules rules, String cause) {
        long start = System.nanoTime();
        DosApplier.Report report;
        try {
            report = applier.apply(rules);
        } catch (RuntimeException e) {
            dirty = true;
            throw e;
        }
        inForce = rules;
        dirty = false;
        if (report.changedAnything()) {
            log.info("event=dos_applied cause={} {} duration_us={}", cause, report.toLogFields(),
                    (System.nanoTime() - start) / 1_000);
        }
    }

    private void expired(Block block) {
        logUnblock(block, "expired");
        dirty = true;
        maxBlocksLogged = false;
    }

    private void logBlock(Block block, String extra) {
        log.warn("event=dos_block origin={} source={} reason={}{} expires_at={}", block.origin().label(),
                block.prefix(), block.reason(), extra, block.expiresAt().map(Instant::toString).orElse("never"));
        if (metrics != null) {
            metrics.blocked(block);
        }
    }

    private void logUnblock(Block block, String reason) {
        log.info("event=dos_unblock origin={} source={} reason={} blocked_for_s={}", block.origin().label(),
                block.prefix(), reason, Duration.between(block.blockedAt(), clock.instant()).toSeconds());
        if (metrics != null) {
            metrics.unblocked(block, reason);
        }
    }

    private int activeBlocks() {
        return blocks.size();
    }

    private int denyEntries() {
        DosRules rules = inForce;
        return rules == null ? 0 : rules.deny().size();
    }
}
