package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.SluiceConfig;
import org.junit.jupiter.api.Test;

class ReloadCompatibilityTest {
    private static final String BASE = "interface: eth0\nvips:\n  - { name: web, address: 10.1.1.1, port: 80, table_size: 7 }\n";

    @Test
    void vipChangesAreReloadableButTheAdminListenersAreNot() throws Exception {
        SluiceConfig running = ConfigLoader.parse(BASE);
        assertThat(ReloadCompatibility.unchangeableDifference(running,
                ConfigLoader.parse(BASE.replace("port: 80", "port: 81")))).isNull();
        assertThat(ReloadCompatibility.unchangeableDifference(running,
                ConfigLoader.parse(BASE + "admin: { socket: /run/other.sock }\n"))).isEqualTo("admin");
        assertThat(ReloadCompatibility.unchangeableDifference(running,
                ConfigLoader.parse(BASE.replace("eth0", "eth1")))).isEqualTo("interface");
    }
}
