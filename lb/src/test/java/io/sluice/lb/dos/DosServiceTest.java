package io.sluice.lb.dos;

import static io.sluice.testing.packet.BalancerRig.CLIENT_MAC;
import static io.sluice.testing.packet.BalancerRig.GATEWAY_MAC;
import static io.sluice.testing.packet.BalancerRig.LB_MAC;
import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.XdpAction;
import io.sluice.lb.config.Cidr;
import io.sluice.lb.config.DosConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.config.VipDosConfig;
import io.sluice.lb.dataplane.BackendEntry;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.DosRate;
import io.sluice.lb.dataplane.DosSourceKey;
import io.sluice.lb.dataplane.DosSourceState;
import io.sluice.lb.dataplane.DosVipEntry;
import io.sluice.lb.dataplane.LbConfigEntry;
import io.sluice.lb.dataplane.LpmPrefix;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.Reason;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.testing.packet.BalancerRig;
import io.sluice.testing.packet.PacketBuilder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DosService against a real loaded balancer: rules reach the maps by diff, blocks come and go. */
class DosServiceTest {
    private static final String VIP4 = "198.51.100.1";
    private static final int HTTP = 80;
    private static final int VIP_ID = 3;
    private static final String ATTACKER = "203.0.113.9";
    private static final String FRIEND = "192.0.2.10";

    private BalancerRig rig;
    private DataplaneMaps maps;
    private DosMaps dos;
    private MutableClock clock;
    private DosService service;
    private VipConfig vip;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF needs root");
        rig = BalancerRig.balancer();
        maps = rig.maps();
        dos = DosMaps.of(rig.object());
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        maps.writeConfig(new LbConfigEntry(GATEWAY_MAC, 1500, (Inet4Address) ip("10.0.0.0"), 0xff,
                (Inet6Address) ip("fd00::"), 0xffff, 0));
        maps.putVip(new VipKey(ip(VIP4), HTTP, Protocol.TCP), new VipMeta(VIP_ID, 0));
        maps.putBackend(1, BackendEntry.inUse(ip("10.2.0.1")));
        maps.swapMaglevTable(VIP_ID, new int[] {1, 1, 1, 1, 1, 1, 1});
        vip = new VipConfig("web", ip(VIP4), HTTP, Protocol.TCP, 7, List.of());
        service = new DosService(dos, () -> {
            Map<VipKey, Integer> ids = new HashMap<>();
            maps.readVips().forEach((k, m) -> ids.put(k, m.vipId()));
            return ids;
        }, maps::reasonCounts, clock, null);
    }

    @AfterEach
    void close() {
        if (dos != null) {
            dos.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    private static DosConfig rules(List<String> allow, List<String> deny, DosConfig.AutoBlock autoBlock) {
        return new DosConfig(allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList(),
                DosRate.NONE, DosRate.NONE, true, DosConfig.DEFAULT_REFLECTION_PORTS, autoBlock);
    }

    private static LpmPrefix prefix(String text) {
        Cidr c = Cidr.parse(text);
        return new LpmPrefix(c.network(), c.prefixLength());
    }

    private XdpAction syn(String source) {
        return rig.run(PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(source, VIP4).tcp(40000, HTTP).build())
                .action();
    }

    @Test
    void rulesReachTheMapsAndAReloadChangesOnlyTheDifference() {
        service.apply(rules(List.of("192.0.2.0/24"), List.of("203.0.113.0/24", "2001:db8:bad::/48"),
                DosConfig.AutoBlock.OFF), List.of(vip), "startup");
        Map<LpmPrefix, Integer> before = dos.readDeny();
        assertThat(before.keySet()).containsExactlyInAnyOrder(prefix("203.0.113.0/24"), prefix("2001:db8:bad::/48"));
        assertThat(dos.readAllow()).containsExactly(prefix("192.0.2.0/24"));
        assertThat(dos.readConfig().deny4()).isEqualTo(1);
        assertThat(dos.readConfig().flags() & DosAbi.DOS_F_TCP_FLAGS).isNotZero();
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.DROP);

        service.apply(rules(List.of(), List.of("2001:db8:bad::/48", "198.51.100.128/25"), DosConfig.AutoBlock.OFF),
                List.of(vip), "reload");

        Map<LpmPrefix, Integer> after = dos.readDeny();
        assertThat(after.keySet()).containsExactlyInAnyOrder(prefix("198.51.100.128/25"), prefix("2001:db8:bad::/48"));
        assertThat(after.get(prefix("2001:db8:bad::/48"))).as("unchanged entry keeps its id (and hits)")
                .isEqualTo(before.get(prefix("2001:db8:bad::/48")));
        assertThat(dos.readAllow()).isEmpty();
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.TX);
        assertThat(dos.readDeny24(198 << 16 | 51 << 8 | 100)).as("a /25 inside: the trie decides")
                .isEqualTo(DosAbi.DOS_DENY24_LPM);
        assertThat(dos.readDeny24(203 << 16 | 113)).as("removed").isZero();
    }

    @Test
    void aRuleSetThatDoesNotFitChangesNothing() {
        service.apply(rules(List.of(), List.of("203.0.113.0/24"), DosConfig.AutoBlock.OFF), List.of(vip), "startup");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= DosAbi.DOS_MAX_PREFIXES; i++) {
            tooMany.add("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff) + "/32");
        }
        tooMany.add("11.0.0.0/8");

        assertThatThrownBy(() -> service.apply(rules(List.of(), tooMany, DosConfig.AutoBlock.OFF), List.of(vip),
                "reload")).hasMessageContaining("at most " + DosAbi.DOS_MAX_PREFIXES);

        assertThat(dos.readDeny().keySet()).containsExactly(prefix("203.0.113.0/24"));
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.DROP);
    }

    @Test
    void vipSettingsAreWrittenUnderTheVipsId() {
        VipConfig guarded = new VipConfig("web", ip(VIP4), HTTP, Protocol.TCP, 7, List.of(),
                vip.whenAllDown(), vip.slowStart(), new VipDosConfig(new DosRate(10, 20), true, List.of(123)));
        service.apply(DosConfig.DEFAULT, List.of(guarded), "startup");

        assertThat(dos.readVip(VIP_ID)).isEqualTo(new DosVipEntry(new DosRate(10, 20), true, List.of(123)));
        assertThat(dos.readConfig().flags() & DosAbi.DOS_F_VIP_CEILINGS).isNotZero();

        service.apply(DosConfig.DEFAULT, List.of(vip), "reload");
        assertThat(dos.readVip(VIP_ID)).isEqualTo(DosVipEntry.DEFAULT);
        assertThat(dos.readConfig().flags() & DosAbi.DOS_F_VIP_CEILINGS).isZero();
    }

    @Test
    void aSourceOverTheThresholdIsBlockedUntilItsTtlExpiresButTheAllowListNever() {
        DosConfig.AutoBlock policy = new DosConfig.AutoBlock(100, Duration.ofSeconds(60), 10);
        service.apply(rules(List.of("192.0.2.0/24"), List.of(), policy), List.of(vip), "startup");
        assertThat(dos.readConfig().flags() & DosAbi.DOS_F_TRACK_SOURCES).isNotZero();

        // Real packets create the sources' entries; then their counters say 1000 packets in one second.
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.TX);
        service.tick();
        DosSourceKey attacker = DosSourceKey.of(ip(ATTACKER));
        DosSourceKey friend = DosSourceKey.of(ip(FRIEND));
        dos.writeSource(attacker, new DosSourceState(0, 0, 1, 0, 0));
        dos.writeSource(friend, new DosSourceState(0, 0, 1, 0, 0));
        service.tick();
        dos.writeSource(attacker, new DosSourceState(0, 0, 1001, 0, 0));
        dos.writeSource(friend, new DosSourceState(0, 0, 1001, 0, 0));
        clock.advance(Duration.ofSeconds(1));
        service.tick();

        assertThat(service.blocks()).containsOnlyKeys(prefix(ATTACKER + "/32"));
        assertThat(service.blocks().get(prefix(ATTACKER + "/32")).origin()).isEqualTo(Block.Origin.AUTO);
        assertThat(dos.readDeny()).containsOnlyKeys(prefix(ATTACKER + "/32"));
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        assertThat(syn(FRIEND)).isEqualTo(XdpAction.TX);
        DosSnapshot snapshot = service.snapshot(true);
        assertThat(snapshot.blocks()).singleElement().satisfies(b -> {
            assertThat(b.hits()).isEqualTo(1);
            assertThat(b.expiresAt()).isEqualTo("2026-01-01T00:01:01Z");
        });
        assertThat(snapshot.drops().get(Reason.DROP_DENY_LIST.label())).isEqualTo(1);
        assertThat(service.status().blocks()).hasSize(1);

        clock.advance(Duration.ofSeconds(61));
        service.tick();

        assertThat(service.blocks()).isEmpty();
        assertThat(dos.readDeny()).isEmpty();
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.TX);
    }

    @Test
    void manualBlocksCanBeAddedAndRemovedAtRunTime() {
        service.apply(rules(List.of("192.0.2.0/24"), List.of(), DosConfig.AutoBlock.OFF), List.of(vip), "startup");

        Block block = service.block(prefix("203.0.113.0/24"), Optional.empty(), "operator");
        assertThat(block.expiresAt()).isEmpty();
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.DROP);
        assertThatThrownBy(() -> service.block(prefix("192.0.2.10/32"), Optional.empty(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allow list");

        clock.advance(Duration.ofDays(30));
        service.tick();
        assertThat(syn(ATTACKER)).as("no ttl: stays").isEqualTo(XdpAction.DROP);

        assertThat(service.unblock(prefix("203.0.113.0/24"))).isPresent();
        assertThat(service.unblock(prefix("203.0.113.0/24"))).isEmpty();
        assertThat(syn(ATTACKER)).isEqualTo(XdpAction.TX);

        service.block(prefix(ATTACKER + "/32"), Optional.of(Duration.ofSeconds(5)), "operator");
        clock.advance(Duration.ofSeconds(6));
        service.tick();
        assertThat(dos.readDeny()).isEmpty();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
