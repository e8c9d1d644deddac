package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BgpConfigTest {
    @Test
    void offWithoutASection() throws Exception {
        assertThat(ConfigLoader.parse("interface: eth0\n").bgp()).isEqualTo(BgpConfig.DISABLED);
        assertThat(BgpConfig.DISABLED.enabled()).isFalse();
    }

    @Test
    void anEmptySectionTurnsItOnWithDefaults() throws Exception {
        BgpConfig bgp = ConfigLoader.parse("interface: eth0\nbgp: {}\n").bgp();
        assertThat(bgp.enabled()).isTrue();
        assertThat(bgp.device()).isEqualTo("sluice-vips");
        assertThat(bgp.table()).isEqualTo(4242);
        assertThat(bgp.onCrash()).isEqualTo(BgpConfig.OnCrash.WITHDRAW);
        assertThat(bgp.hostStateFile()).isEqualTo(Path.of("/var/lib/sluice/host-state.json"));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        BgpConfig bgp = ConfigLoader.parse("interface: eth0\nbgp: { enabled: false, device: vips0, table: 100,"
                + " on_crash: keep, host_state_file: /srv/host.json }\n").bgp();
        assertThat(bgp).isEqualTo(new BgpConfig(false, "vips0", 100, BgpConfig.OnCrash.KEEP, Path.of("/srv/host.json")));
    }

    @Test
    void badValuesNameTheField() {
        assertError("interface: eth0\nbgp: { table: 254 }\n", "bgp.table", "kernel's own tables");
        assertError("interface: eth0\nbgp: { table: 0 }\n", "bgp.table", "must be in 1..");
        assertError("interface: eth0\nbgp: { table: 4294967296 }\n", "bgp.table", "must be in 1..");
        assertError("interface: eth0\nbgp: { table: ten }\n", "bgp.table", "must be an integer");
        assertError("interface: eth0\nbgp: { device: \"this-name-is-too-long\" }\n", "bgp.device", "interface name");
        assertError("interface: eth0\nbgp: { device: eth0 }\n", "bgp.device", "balancer's interface");
        assertError("interface: eth0\nbgp: { on_crash: linger }\n", "bgp.on_crash", "withdraw or keep");
        assertError("interface: eth0\nbgp: { host_state_file: state.json }\n", "bgp.host_state_file", "absolute path");
        assertError("interface: eth0\nbgp: { enabled: 1 }\n", "bgp.enabled", "true or false");
        assertError("interface: eth0\nbgp: { tabel: 5 }\n", "bgp.tabel", "did you mean table?");
        assertError("interface: eth0\nbgp: 3\n", "bgp", "must be a mapping");
    }
}
