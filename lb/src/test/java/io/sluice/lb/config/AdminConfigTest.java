package io.sluice.lb.config;

import static io.sluice.lb.config.ConfigLoaderTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AdminConfigTest {
    @Test
    void unixSocketOnlyByDefault() throws Exception {
        AdminConfig admin = ConfigLoader.parse("interface: eth0\n").admin();
        assertThat(admin.socket()).contains(Path.of("/run/sluice/admin.sock"));
        assertThat(admin.listen()).isEmpty();
    }

    @Test
    void socketCanMoveOrBeTurnedOff() throws Exception {
        assertThat(ConfigLoader.parse("interface: eth0\nadmin: { socket: /tmp/x/admin.sock }\n").admin().socket())
                .contains(Path.of("/tmp/x/admin.sock"));
        assertThat(ConfigLoader.parse("interface: eth0\nadmin: { socket: \"off\" }\n").admin().socket()).isEmpty();
    }

    @Test
    void loopbackTcpWithAToken() throws Exception {
        AdminConfig admin = ConfigLoader.parse(
                "interface: eth0\nadmin: { listen: \"127.0.0.1:9470\", token_file: /etc/sluice/admin.token }\n")
                .admin();
        assertThat(admin.listen()).hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(9470));
        assertThat(admin.tokenFile()).contains(Path.of("/etc/sluice/admin.token"));
        assertThat(admin.socket()).isPresent();
    }

    @Test
    void tcpWithoutATokenIsRefused() {
        assertError("interface: eth0\nadmin: { listen: \"127.0.0.1:9470\" }\n", "admin.token_file", "required");
    }

    @Test
    void nonLoopbackNeedsExplicitConsentAndStillAToken() throws Exception {
        assertError("interface: eth0\nadmin: { listen: \"10.0.0.1:9470\", token_file: /etc/t }\n", "admin.listen",
                "allow_remote");
        assertError("interface: eth0\nadmin: { listen: \"0.0.0.0:9470\", token_file: /etc/t }\n", "admin.listen",
                "not a loopback address");
        assertError("interface: eth0\nadmin: { listen: \"10.0.0.1:9470\", allow_remote: true }\n", "admin.token_file",
                "required");
        assertThat(ConfigLoader.parse("interface: eth0\nadmin: { listen: \"10.0.0.1:9470\", token_file: /etc/t,"
                + " allow_remote: true }\n").admin().allowRemote()).isTrue();
    }

    @Test
    void badValuesNameTheField() {
        assertError("interface: eth0\nadmin: { socket: relative.sock }\n", "admin.socket", "absolute path");
        assertError("interface: eth0\nadmin: { listen: \"127.0.0.1\" }\n", "admin.listen", "address:port");
        assertError("interface: eth0\nadmin: { allow_remote: \"yes\" }\n", "admin.allow_remote", "true or false");
        assertError("interface: eth0\nadmin: { sokcet: /x }\n", "admin.sokcet", "did you mean socket?");
        assertError("interface: eth0\nadmin: 3\n", "admin", "must be a mapping");
    }
}
