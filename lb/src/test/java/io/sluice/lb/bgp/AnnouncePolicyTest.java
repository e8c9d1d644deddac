package io.sluice.lb.bgp;

import static io.sluice.lb.bgp.AnnouncePolicy.Verdict.ANNOUNCED;
import static io.sluice.lb.bgp.AnnouncePolicy.Verdict.DETACHED;
import static io.sluice.lb.bgp.AnnouncePolicy.Verdict.HOST_DRAINED;
import static io.sluice.lb.bgp.AnnouncePolicy.Verdict.NO_HEALTHY_BACKEND;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.VipKey;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnnouncePolicyTest {
    static List<VipConfig> vips() throws Exception {
        return ConfigLoader.parse("""
                interface: eth0
                encap: { source_v4: 10.0.0.128/25, source_v6: "2001:db8::8000:0/97" }
                vips:
                  - { name: web, address: 192.0.2.1, port: 80, protocol: tcp, backends: [ { address: 10.0.0.1 } ] }
                  - { name: tls, address: 192.0.2.1, port: 443, protocol: tcp, backends: [ { address: 10.0.0.1 } ] }
                  - { name: dns, address: "2001:db8::53", port: 53, protocol: udp, backends: [ { address: "2001:db8::1" } ] }
                """).vips();
    }

    static VipKey key(List<VipConfig> vips, String name) {
        return vips.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow().key();
    }

    @Test
    void anAddressIsAnnouncedWhileAnyOfItsVipsServes() throws Exception {
        List<VipConfig> vips = vips();
        Map<InetAddress, AnnouncePolicy.Verdict> v = AnnouncePolicy.decide(vips, Set.of(key(vips, "tls")), true, false);
        assertThat(v).containsEntry(InetAddress.getByName("192.0.2.1"), ANNOUNCED)
                .containsEntry(InetAddress.getByName("2001:db8::53"), NO_HEALTHY_BACKEND).hasSize(2);
    }

    @Test
    void noServingVipWithdrawsTheAddress() throws Exception {
        List<VipConfig> vips = vips();
        assertThat(AnnouncePolicy.decide(vips, Set.of(), true, false).values())
                .containsOnly(NO_HEALTHY_BACKEND);
    }

    @Test
    void aDrainedHostOrADetachedProgramWithdrawsEverything() throws Exception {
        List<VipConfig> vips = vips();
        Set<VipKey> all = Set.of(key(vips, "web"), key(vips, "tls"), key(vips, "dns"));
        assertThat(AnnouncePolicy.decide(vips, all, true, false).values()).containsOnly(ANNOUNCED);
        assertThat(AnnouncePolicy.decide(vips, all, true, true).values()).containsOnly(HOST_DRAINED);
        assertThat(AnnouncePolicy.decide(vips, all, false, false).values()).containsOnly(DETACHED);
        // The operator's drain is the reason shown even when the program is detached too.
        assertThat(AnnouncePolicy.decide(vips, all, false, true).values()).containsOnly(HOST_DRAINED);
    }
}
