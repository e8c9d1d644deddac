package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.config.ConsulConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Back-off, index rules, agent address and token file. */
class SmallPartsTest {
    @Test
    void backoffDoublesWithJitterUpToItsCap() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), () -> 0.999_999);
        assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(high.delay(1)).isEqualTo(Duration.ofMillis(99));
        assertThat(low.delay(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(high.delay(3)).isEqualTo(Duration.ofMillis(399));
        assertThat(high.delay(50)).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(low.delay(50)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void indexRestartsFromZeroWhenItGoesBackwardsOrIsNotPositive() {
        assertThat(BlockingWatch.nextIndex(0, 42)).isEqualTo(42);
        assertThat(BlockingWatch.nextIndex(42, 43)).isEqualTo(43);
        assertThat(BlockingWatch.nextIndex(42, 42)).isEqualTo(42);
        assertThat(BlockingWatch.nextIndex(42, 7)).isZero();
        assertThat(BlockingWatch.nextIndex(42, 0)).isZero();
        assertThat(BlockingWatch.nextIndex(42, -1)).isZero();
    }

    @Test
    void agentAddressFromConfigThenEnvironmentThenLoopback() {
        ConsulConfig configured = new ConsulConfig(Optional.of(URI.create("http://10.1.1.1:8500")), Optional.empty(),
                ConsulConfig.DEFAULT_TTL, ConsulConfig.DEFAULT_DEREGISTER_AFTER, ConsulConfig.DEFAULT_WAIT,
                ConsulConfig.DEFAULT_RETRY_MIN, ConsulConfig.DEFAULT_RETRY_MAX, ConsulConfig.DEFAULT_MAX_RESPONSE_BYTES,
                ConsulConfig.DEFAULT_CACHE_FILE);
        Map<String, String> env = Map.of(AgentAddress.ENV, "127.0.0.2:8501");
        assertThat(AgentAddress.resolve(configured, env)).isEqualTo(URI.create("http://10.1.1.1:8500"));
        assertThat(AgentAddress.resolve(ConsulConfig.DEFAULTS, env)).isEqualTo(URI.create("http://127.0.0.2:8501"));
        assertThat(AgentAddress.resolve(ConsulConfig.DEFAULTS, Map.of(AgentAddress.ENV, "https://c.example:8501")))
                .isEqualTo(URI.create("https://c.example:8501"));
        assertThat(AgentAddress.resolve(ConsulConfig.DEFAULTS, Map.of())).isEqualTo(AgentAddress.DEFAULT);
        assertThatThrownBy(() -> AgentAddress.resolve(ConsulConfig.DEFAULTS,
                Map.of(AgentAddress.ENV, "unix:///var/run/consul.sock")))
                .hasMessageContaining("Unix socket");
    }

    @Test
    void tokenFileIsReadAndAFileOthersCanReadIsRefused(@TempDir Path dir) throws IOException {
        Path token = dir.resolve("token");
        Files.writeString(token, "2c1e4f6a-0000-4000-8000-000000000001\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(TokenFile.read(Optional.of(token))).contains("2c1e4f6a-0000-4000-8000-000000000001");
        assertThat(TokenFile.read(Optional.empty())).isEmpty();

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> TokenFile.read(Optional.of(token))).isInstanceOf(IOException.class)
                .hasMessageContaining("readable or writable by others");

        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(token, "two words");
        assertThatThrownBy(() -> TokenFile.read(Optional.of(token))).hasMessageContaining("does not hold one token");
        assertThatThrownBy(() -> TokenFile.read(Optional.of(dir.resolve("missing")))).isInstanceOf(IOException.class);
    }
}
