package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads everything Consul in the config: the top-level {@code consul:} section, a VIP's
 * {@code consul:} registration and {@code backends: {consul: ...}} discovery.
 */
final class ConsulReader {
    static final List<String> SECTION_KEYS = List.of("address", "token_file", "ttl", "deregister_critical_after",
            "wait", "retry_min", "retry_max", "max_response_bytes", "cache_file", "kv");
    static final List<String> KV_KEYS = List.of("prefix", "cache_file", "max_document_bytes");
    static final List<String> REGISTRATION_KEYS = List.of("service", "tags");
    static final List<String> BACKENDS_KEYS = List.of("consul");
    static final List<String> DISCOVERY_KEYS = List.of("service", "tag", "weight", "max_backends");

    /** Consul's DNS-compatible service names: what resolves as NAME.service.consul. */
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.:=/+@-]{1,128}");
    static final int MAX_TAGS = 64;
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    static final Duration MAX_TTL = Duration.ofMinutes(10);
    /** Consul's own floor for DeregisterCriticalServiceAfter. */
    static final Duration MIN_DEREGISTER_AFTER = Duration.ofMinutes(1);
    /** Consul caps a blocking query's wait at 10 minutes. */
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    static final Duration MIN_WAIT = Duration.ofSeconds(1);
    static final Duration MIN_RETRY = Duration.ofMillis(10);
    static final Duration MAX_RETRY = Duration.ofMinutes(10);
    static final int MIN_RESPONSE_BYTES = 64 * 1024;
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    static final int DEFAULT_MAX_BACKENDS = 256;
    /** KV key segments: what Consul's CLI and HTTP paths carry without escaping surprises. */
    private static final Pattern KV_PREFIX = Pattern.compile("[A-Za-z0-9_.:=@+-]+(/[A-Za-z0-9_.:=@+-]+)*");
    static final int MAX_KV_PREFIX = 256;
    static final int MIN_DOCUMENT_BYTES = 1024;
    static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    private final Problems problems;

    ConsulReader(Problems problems) {
        this.problems = problems;
    }

    /** The top-level section; empty when invalid (reported). */
    Optional<ConsulConfig> section(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, SECTION_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        int before = problems.list().size();
        Optional<URI> address = m.parsed("address", false, ConsulReader::agentAddress);
        Optional<Path> tokenFile = m.parsed("token_file", false, ConsulReader::absoluteFile);
        Optional<Path> cacheFile = m.parsed("cache_file", false, ConsulReader::absoluteFile);
        Duration ttl = duration(m, "ttl", ConsulConfig.DEFAULT_TTL, MIN_TTL, MAX_TTL);
        Duration deregister = duration(m, "deregister_critical_after", ConsulConfig.DEFAULT_DEREGISTER_AFTER,
                MIN_DEREGISTER_AFTER, Duration.ofDays(1));
        Duration wait = duration(m, "wait", ConsulConfig.DEFAULT_WAIT, MIN_WAIT, MAX_WAIT);
        Duration retryMin = duration(m, "retry_min", ConsulConfig.DEFAULT_RETRY_MIN, MIN_RETRY, MAX_RETRY);
        Duration retryMax = duration(m, "retry_max", ConsulConfig.DEFAULT_RETRY_MAX, MIN_RETRY, MAX_RETRY);
        Optional<Integer> maxBytes = m.integer("max_response_bytes", MIN_RESPONSE_BYTES, MAX_RESPONSE_BYTES,
                ConsulConfig.DEFAULT_MAX_RESPONSE_BYTES);
        Optional<KvConfig> kv = m.value("kv").isPresent() ? kv(m.value("kv").get(), m.field("kv")) : Optional.empty();
        if (retryMin != null && retryMax != null && retryMax.compareTo(retryMin) < 0) {
            problems.add(m.field("retry_max"), "must not be shorter than retry_min");
        }
        if (problems.list().size() != before) {
            return Optional.empty();
        }
        return Optional.of(new ConsulConfig(address, tokenFile, ttl, deregister, wait, retryMin, retryMax,
                maxBytes.orElseThrow(), cacheFile.orElse(ConsulConfig.DEFAULT_CACHE_FILE), kv));
    }

    /** {@code consul.kv}: where the fleet's shared document lives; empty when invalid (reported). */
    private Optional<KvConfig> kv(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, KV_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<String> prefix = m.parsed("prefix", true, ConsulReader::kvPrefix);
        Optional<Path> cacheFile = m.parsed("cache_file", false, ConsulReader::absoluteFile);
        Optional<Integer> maxBytes = m.integer("max_document_bytes", MIN_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES,
                KvConfig.DEFAULT_MAX_DOCUMENT_BYTES);
        if (prefix.isEmpty() || maxBytes.isEmpty() || cacheFile.isPresent() != m.value("cache_file").isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new KvConfig(prefix.get(), cacheFile.orElse(KvConfig.DEFAULT_CACHE_FILE), maxBytes.get()));
    }

    static String kvPrefix(String text) {
        if (text.length() > MAX_KV_PREFIX || !KV_PREFIX.matcher(text).matches()
                || ("/" + text + "/").contains("/./") || ("/" + text + "/").contains("/../")) {
            throw new IllegalArgumentException("\"" + text + "\" is not a KV prefix (1.." + MAX_KV_PREFIX
                    + " characters of A-Z a-z 0-9 _ . : = @ + - in segments separated by /, no leading or trailing /,"
                    + " no . or .. segment)");
        }
        return text;
    }

    /** A VIP's registration mapping; empty when invalid (reported). */
    Optional<ConsulRegistration> registration(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, REGISTRATION_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<String> service = m.parsed("service", true, ConsulReader::serviceName);
        Optional<List<String>> tags = tags(m);
        if (service.isEmpty() || tags.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ConsulRegistration(service.get(), tags.get()));
    }

    /**
     * The mapping form of a VIP's {@code backends}: {@code {consul: {service, tag, weight, max_backends}}}.
     * Empty when invalid (reported).
     */
    Optional<ConsulDiscovery> discovery(JsonNode node, String path, Optional<HealthCheckConfig> vipCheck,
                                        int tableSize) {
        Optional<YamlMapping> outer = YamlMapping.open(node, path, problems, BACKENDS_KEYS);
        if (outer.isEmpty()) {
            return Optional.empty();
        }
        Optional<JsonNode> inner = outer.get().value("consul");
        if (inner.isEmpty()) {
            problems.add(outer.get().field("consul"), "required: backends is either a list or {consul: {service: ...}}");
            return Optional.empty();
        }
        Optional<YamlMapping> open = YamlMapping.open(inner.get(), outer.get().field("consul"), problems,
                DISCOVERY_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<String> service = m.parsed("service", true, ConsulReader::serviceName);
        Optional<String> tag = m.parsed("tag", false, ConsulReader::tag);
        Optional<Integer> weight = m.integer("weight", ConfigLimits.MIN_WEIGHT, ConfigLimits.MAX_WEIGHT,
                ConfigLimits.DEFAULT_WEIGHT);
        int maxAllowed = Math.min(ConfigLimits.MAX_BACKENDS, tableSize - 1);
        Optional<Integer> maxBackends = m.integer("max_backends", 1, maxAllowed,
                Math.min(DEFAULT_MAX_BACKENDS, maxAllowed));
        if (service.isEmpty() || weight.isEmpty() || maxBackends.isEmpty()
                || tag.isPresent() != m.value("tag").isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new ConsulDiscovery(service.get(), tag, weight.get(), maxBackends.get(), vipCheck));
    }

    private Optional<List<String>> tags(YamlMapping m) {
        Optional<JsonNode> list = m.sequence("tags");
        if (list.isEmpty()) {
            return Optional.empty();
        }
        if (list.get().size() > MAX_TAGS) {
            problems.add(m.field("tags"), "at most " + MAX_TAGS + " tags, got " + list.get().size());
            return Optional.empty();
        }
        List<String> tags = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean ok = true;
        for (int i = 0; i < list.get().size(); i++) {
            JsonNode n = list.get().get(i);
            String where = m.field("tags") + "[" + i + "]";
            if (!n.isTextual()) {
                problems.add(where, "must be a string, got " + YamlMapping.describe(n));
                ok = false;
            } else if (!TAG.matcher(n.asText()).matches()) {
                problems.add(where, "\"" + n.asText() + "\" is not a tag (1..128 characters of A-Z a-z 0-9 _ . : = / + @ -)");
                ok = false;
            } else if (!seen.add(n.asText())) {
                problems.add(where, "duplicate tag \"" + n.asText() + "\"");
                ok = false;
            } else {
                tags.add(n.asText());
            }
        }
        return ok ? Optional.of(tags) : Optional.empty();
    }

    /** A duration in [min, max]; absent gives the default; null when invalid (reported). */
    private static Duration duration(YamlMapping m, String key, Duration defaultValue, Duration min, Duration max) {
        if (m.value(key).isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> d = m.parsed(key, false, Durations::parse);
        if (d.isEmpty()) {
            return null;
        }
        if (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
            m.problems().add(m.field(key), "must be in " + text(min) + ".." + text(max) + ", got " + m.value(key).get().asText());
            return null;
        }
        return d.get();
    }

    private static String text(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static String serviceName(String text) {
        if (!SERVICE.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a Consul service name (1..63 characters of "
                    + "A-Z a-z 0-9 -, not starting or ending with -)");
        }
        return text;
    }

    private static String tag(String text) {
        if (!TAG.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a tag (1..128 characters of A-Z a-z 0-9 _ . : = / + @ -)");
        }
        return text;
    }

    /** http(s)://host[:port] with nothing after it: the agent's base address. */
    static URI agentAddress(String text) {
        URI uri;
        try {
            uri = new URI(text.contains("://") ? text : "http://" + text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address (e.g. http://127.0.0.1:8500)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        boolean bare = (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))
                && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null;
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
            throw new IllegalArgumentException("\"" + text + "\" is not an agent address (http:// or https:// "
                    + "host[:port], e.g. http://127.0.0.1:8500)");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority());
    }

    private static Path absoluteFile(String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a path: " + e.getReason());
        }
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException("\"" + text + "\" must be an absolute path without . or .. parts");
        }
        return path;
    }
}
