package io.sluice.lb.dos;

import static io.sluice.testing.packet.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.DosConfigEntry;
import io.sluice.lb.dataplane.DosMaps;
import io.sluice.lb.dataplane.DosVipEntry;
import io.sluice.lb.dataplane.LpmPrefix;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.testing.packet.BalancerRig;
import java.time.Clock;
import java.util.BitSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random damage to the DoS rules of a config, through the daemon's reload path (parse, then apply):
 * a rule set that is rejected never changes what the maps hold, and one that is accepted is exactly
 * what the maps hold afterwards.
 */
class DosConfigFuzzTest {
    private static final int ROUNDS = 300;
    private static final int VIP_ID = 3;
    private static final String VALID = """
            interface: eth0
            gateway_mac: "02:00:00:00:00:01"
            encap:
              source_v4: 172.16.0.0/16
            vips:
              - name: web
                address: 10.100.0.1
                port: 80
                dos:
                  new_flows: {rate: 500, burst: 1000}
                  fragments: pass
                  reflection_ports: [123, 53]
                backends:
                  - address: 10.0.2.11
            dos:
              allow: [192.0.2.0/24, "2001:db8:1::/48"]
              deny: [198.51.100.0/24, 203.0.113.7/32, "2001:db8:bad::/48", 10.0.0.0/8]
              source_packets: {rate: 1000, burst: 2000}
              source_new_flows: {rate: 50, burst: 100}
              tcp_flags: true
              reflection_ports: [19, 123, 11211]
              auto_block: {packets_per_second: 20000, duration: 10m, max_blocks: 100}
            """;
    private static final String[] REPLACEMENTS = {
        "", "~", "-1", "0", "65536", "99999999999999999999", "1.5", "true", "[]", "{}", "[1, 2]", "{a: b}", "\"\"",
        "10.0.0.1", "10.0.0.1/33", "10.0.0.0/7", "fd00::/129", "::/0", "0.0.0.0/0", "pass", "drop", "keep", "1m",
        "0s", "8d", "[0.0.0.0/0, 0.0.0.0/0]", "[70000]", "{rate: 0}", "{burst: 1}", "- x", ": :"};

    private BalancerRig rig;
    private DosMaps dos;
    private DosService service;

    @BeforeEach
    void load() {
        assumeTrue(BalancerRig.isRoot(), "BPF needs root");
        rig = BalancerRig.balancer();
        DataplaneMaps maps = rig.maps();
        dos = DosMaps.of(rig.object());
        maps.putVip(new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), new VipMeta(VIP_ID, 0));
        service = new DosService(dos, () -> Map.of(new VipKey(ip("10.100.0.1"), 80, Protocol.TCP), VIP_ID),
                maps::reasonCounts, Clock.systemUTC(), null);
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

    private record InForce(Set<LpmPrefix> allow, Set<LpmPrefix> deny, DosConfigEntry config, DosVipEntry vip,
                           BitSet reflection) {
    }

    private InForce inForce() {
        return new InForce(dos.readAllow(), dos.readDeny().keySet(), dos.readConfig(), dos.readVip(VIP_ID),
                dos.readReflectionPorts());
    }

    private void reload(SluiceConfig config) {
        service.apply(config.dos(), config.vips(), "reload");
    }

    @Test
    void rejectedRuleSetsChangeNothingAndAcceptedOnesAreExactlyWhatIsInForce() throws ConfigException {
        SluiceConfig baseline = ConfigLoader.parse(VALID);
        reload(baseline);
        InForce expectedBaseline = inForce();
        assertThat(expectedBaseline.deny()).hasSize(4);
        Random random = new Random(3_2026);
        int rejected = 0;
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String mutated = mutate(VALID, random);
            InForce before = inForce();
            SluiceConfig candidate;
            try {
                candidate = ConfigLoader.parse(mutated);
            } catch (ConfigException e) {
                rejected++;
                assertThat(e.errors()).allSatisfy(err -> assertThat(err.field()).isNotBlank());
                assertThat(inForce()).as("rejected:%n%s", mutated).isEqualTo(before);
                continue;
            }
            reload(candidate);
            accepted++;
            InForce now = inForce();
            assertThat(now.allow()).isEqualTo(prefixes(candidate.dos().allow()));
            assertThat(now.deny()).isEqualTo(prefixes(candidate.dos().deny()));
            VipConfig vip = candidate.vips().get(0);
            assertThat(now.vip()).isEqualTo(new DosVipEntry(vip.dos().newFlows(), vip.dos().passFragments(),
                    vip.dos().reflectionPorts()));
            assertThat(now.config().sourcePackets()).isEqualTo(candidate.dos().sourcePackets());
            reload(baseline);
            assertThat(inForce()).isEqualTo(expectedBaseline);
        }
        assertThat(rejected).as("mutations must hit something").isGreaterThan(ROUNDS / 4);
        assertThat(accepted).as("some mutations must still be valid").isGreaterThan(0);
    }

    private static Set<LpmPrefix> prefixes(java.util.List<io.sluice.lb.config.Cidr> cidrs) {
        return cidrs.stream().map(DosRules::prefix).collect(java.util.stream.Collectors.toSet());
    }

    /** Replaces one value (the text after a ": " or "- " on a dos-related line) or deletes a line. */
    private static String mutate(String text, Random random) {
        String[] lines = text.split("\n", -1);
        int first = 9; // the VIP's dos key and the dos section
        int line = first + random.nextInt(lines.length - first - 1);
        if (lines[line].contains("backends") || lines[line].contains("address")) {
            line = lines.length - 2;
        }
        if (random.nextInt(6) == 0) {
            lines[line] = "";
        } else {
            String l = lines[line];
            int colon = l.indexOf(": ");
            String replacement = REPLACEMENTS[random.nextInt(REPLACEMENTS.length)];
            if (colon >= 0) {
                int start = colon + 2;
                if (l.indexOf('{') > 0 && random.nextBoolean()) {
                    int inner = l.indexOf(": ", l.indexOf('{'));
                    start = inner + 2;
                    int end = l.indexOf(',', start) > 0 ? l.indexOf(',', start) : l.indexOf('}', start);
                    lines[line] = l.substring(0, start) + replacement + l.substring(end);
                } else {
                    lines[line] = l.substring(0, start) + replacement;
                }
            }
        }
        return String.join("\n", lines);
    }
}
