package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.health.check.CheckKind;
import io.sluice.health.check.CheckSpec;
import io.sluice.health.check.CommandCheck;
import io.sluice.health.check.HttpCheck;
import io.sluice.health.check.StatusRanges;
import io.sluice.health.check.TcpCheck;
import io.sluice.health.check.UdpCheck;
import io.sluice.health.state.HealthState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a `health_check` mapping. A backend's own `health_check` is laid key by key over its VIP's
 * (so `{port: 8080}` changes only the port) and the result is read as one mapping.
 */
final class HealthCheckReader {
    static final List<String> KEYS = List.of(
            "type", "port", "interval", "timeout", "rise", "fall", "fast_interval", "down_interval",
            "jitter_percent",
            "method", "path", "host", "sni", "expect_status", "expect_body", "verify_tls",
            "send", "send_hex", "expect", "expect_hex",
            "command");
    private static final List<String> TYPES = List.of("tcp", "http", "https", "udp", "command");
    private static final int MAX_RISE_FALL = 100;
    private static final Duration MIN_INTERVAL = Duration.ofMillis(50);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private final Problems problems;

    HealthCheckReader(Problems problems) {
        this.problems = problems;
    }

    /** The VIP's own check (reported under path), or empty when absent or invalid. */
    Optional<HealthCheckConfig> read(JsonNode node, String path, int defaultPort) {
        return readMapping(node, path, defaultPort);
    }

    /**
     * A backend's effective check: its own keys over the VIP's. Empty when neither has a check or
     * when the result is invalid (reported under the backend's path).
     */
    Optional<HealthCheckConfig> readForBackend(Optional<JsonNode> vipCheck, Optional<JsonNode> backendCheck,
                                               String backendPath, int defaultPort) {
        if (backendCheck.isEmpty()) {
            return Optional.empty(); // the VIP's own check applies unchanged; the caller has it
        }
        if (!backendCheck.get().isObject()) {
            problems.add(backendPath, "must be a mapping of keys to values, got "
                    + YamlMapping.describe(backendCheck.get()));
            return Optional.empty();
        }
        ObjectNode merged = vipCheck.filter(JsonNode::isObject).map(n -> ((ObjectNode) n).deepCopy())
                .orElseGet(() -> ((ObjectNode) backendCheck.get()).objectNode());
        if (backendCheck.get().has("type")) {
            // A new type starts from scratch: the VIP's type-specific keys would not fit it.
            merged.removeAll();
        }
        merged.setAll((ObjectNode) backendCheck.get());
        return readMapping(merged, backendPath, defaultPort);
    }

    private Optional<HealthCheckConfig> readMapping(JsonNode node, String path, int defaultPort) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        int before = problems.list().size();
        String type = m.parsed("type", false, HealthCheckReader::type).orElse("tcp");
        Optional<Integer> port = m.integer("port", ConfigLimits.MIN_PORT, ConfigLimits.MAX_PORT, defaultPort);
        CheckSpec defaults = CheckSpec.tcp().withInitialState(HealthState.UP);
        Optional<Duration> interval = duration(m, "interval", defaults.interval());
        Optional<Duration> timeout = duration(m, "timeout", defaults.timeout());
        Optional<Integer> rise = m.integer("rise", 1, MAX_RISE_FALL, defaults.rise());
        Optional<Integer> fall = m.integer("fall", 1, MAX_RISE_FALL, defaults.fall());
        Optional<Duration> fast = duration(m, "fast_interval", null);
        Optional<Duration> down = duration(m, "down_interval", null);
        Optional<Integer> jitter = m.integer("jitter_percent", 0, CheckSpec.MAX_JITTER_PERCENT,
                defaults.jitterPercent());
        Optional<CheckKind> kind = kind(type, m);
        if (problems.list().size() > before || kind.isEmpty()) {
            return Optional.empty();
        }
        if (timeout.get().compareTo(interval.get()) > 0) {
            problems.add(m.field("timeout"), "must not be longer than the interval (" + interval.get().toMillis()
                    + " ms)");
            return Optional.empty();
        }
        // Unset fast/down intervals follow the interval (HAProxy: fastinter and downinter default to inter).
        CheckSpec spec = new CheckSpec(kind.get(), interval.get(), timeout.get(), rise.get(), fall.get(),
                fast.orElse(interval.get()), down.orElse(interval.get()), jitter.get(), HealthState.UP);
        return Optional.of(new HealthCheckConfig(spec, port.get()));
    }

    private Optional<CheckKind> kind(String type, YamlMapping m) {
        try {
            return switch (type) {
                case "tcp" -> Optional.of(new TcpCheck());
                case "http", "https" -> http(type.equals("https"), m);
                case "udp" -> udp(m);
                default -> command(m);
            };
        } catch (IllegalArgumentException e) {
            problems.add(m.field("type"), e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<CheckKind> http(boolean tls, YamlMapping m) {
        Optional<String> method = m.string("method", false);
        Optional<String> path = m.string("path", false);
        if (path.isPresent() && !path.get().startsWith("/")) {
            problems.add(m.field("path"), "must start with /");
            return Optional.empty();
        }
        Optional<StatusRanges> status = m.parsed("expect_status", false, StatusRanges::parse);
        if (m.value("expect_status").isPresent() && status.isEmpty()) {
            return Optional.empty();
        }
        Optional<Boolean> verify = bool(m, "verify_tls");
        HttpCheck check = new HttpCheck(tls, method.orElse("GET").toUpperCase(Locale.ROOT), path.orElse("/"),
                m.string("host", false).orElse(null), m.string("sni", false).orElse(null),
                status.orElse(StatusRanges.DEFAULT), m.string("expect_body", false).orElse(null),
                verify.orElse(false));
        return Optional.of(check);
    }

    private Optional<CheckKind> udp(YamlMapping m) {
        Optional<String> send = m.string("send", false);
        Optional<String> sendHex = m.string("send_hex", false);
        if (send.isPresent() == sendHex.isPresent()) {
            problems.add(m.field("send"), "a udp check needs exactly one of send (text) or send_hex");
            return Optional.empty();
        }
        Optional<String> expect = m.string("expect", false);
        Optional<String> expectHex = m.string("expect_hex", false);
        if (expect.isPresent() && expectHex.isPresent()) {
            problems.add(m.field("expect"), "give expect (text) or expect_hex, not both");
            return Optional.empty();
        }
        if (send.isPresent()) {
            return Optional.of(UdpCheck.text(send.get(), expect.orElse(null)));
        }
        return Optional.of(UdpCheck.hex(sendHex.get(), expectHex.orElse(
                expect.map(e -> java.util.HexFormat.of().formatHex(e.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .orElse(""))));
    }

    private Optional<CheckKind> command(YamlMapping m) {
        Optional<JsonNode> argv = m.value("command");
        if (argv.isEmpty() || !argv.get().isArray() || argv.get().isEmpty()) {
            problems.add(m.field("command"), "a command check needs command: [program, arg, ...]");
            return Optional.empty();
        }
        List<String> words = new ArrayList<>();
        for (JsonNode word : argv.get()) {
            if (!word.isTextual() && !word.isNumber()) {
                problems.add(m.field("command"), "every word must be a string, got " + YamlMapping.describe(word));
                return Optional.empty();
            }
            words.add(word.asText());
        }
        if (!words.get(0).startsWith("/")) {
            problems.add(m.field("command"), "the program must be an absolute path, got \"" + words.get(0) + "\"");
            return Optional.empty();
        }
        return Optional.of(new CommandCheck(words));
    }

    private Optional<Duration> duration(YamlMapping m, String key, Duration defaultValue) {
        if (m.value(key).isEmpty()) {
            return Optional.ofNullable(defaultValue);
        }
        Optional<Duration> d = m.parsed(key, false, Durations::parse);
        if (d.isPresent() && (d.get().compareTo(MIN_INTERVAL) < 0 || d.get().compareTo(MAX_INTERVAL) > 0)) {
            problems.add(m.field(key), "must be in 50ms..60m, got " + m.value(key).get().asText());
            return Optional.empty();
        }
        return d;
    }

    private Optional<Boolean> bool(YamlMapping m, String key) {
        Optional<JsonNode> v = m.value(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!v.get().isBoolean()) {
            problems.add(m.field(key), "must be true or false, got " + YamlMapping.describe(v.get()));
            return Optional.empty();
        }
        return Optional.of(v.get().booleanValue());
    }

    private static String type(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (!TYPES.contains(t)) {
            throw new IllegalArgumentException("\"" + text + "\" is not a check type (expected one of " + TYPES + ")");
        }
        return t;
    }
}
