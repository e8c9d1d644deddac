package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.maglev.MaglevTable;
import io.sluice.lb.maglev.Primes;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads `vips` and each VIP's backends; rules that involve one VIP only are checked here. */
final class VipsReader {
    static final List<String> VIP_KEYS = List.of("name", "address", "port", "protocol", "table_size", "backends",
            "health_check", "when_all_down", "slow_start", "consul", "dos", "drain_quiet_period",
            "drain_timeout");
    static final List<String> BACKEND_KEYS = List.of("address", "weight", "health_check", "drain");

    private static final Duration MIN_DRAIN_QUIET_PERIOD = Duration.ofSeconds(1);
    private static final Pattern VIP_NAME = Pattern.compile("[a-z0-9_-]{1,63}");

    /** A fully valid VIP and its position in the file, for error paths of later checks. */
    record ReadVip(int index, VipConfig vip) {
        String field() {
            return "vips[" + index + "]";
        }
    }

    private final Problems problems;
    private final HealthCheckReader healthChecks;
    private final ConsulReader consul;

    VipsReader(Problems problems) {
        this.problems = problems;
        this.healthChecks = new HealthCheckReader(problems);
        this.consul = new ConsulReader(problems);
    }

    /** The VIPs that are valid on their own (invalid ones are reported and left out). */
    List<ReadVip> read(YamlMapping root) {
        Optional<JsonNode> list = root.sequence("vips");
        List<ReadVip> vips = new ArrayList<>();
        if (list.isEmpty()) {
            return vips;
        }
        for (int i = 0; i < list.get().size(); i++) {
            int index = i;
            readVip(list.get().get(i), "vips[" + i + "]").ifPresent(v -> vips.add(new ReadVip(index, v)));
        }
        return vips;
    }

    private Optional<VipConfig> readVip(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, VIP_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<String> name = m.parsed("name", true, VipsReader::vipName);
        Optional<InetAddress> address = m.parsed("address", true, VipsReader::serviceAddress);
        Optional<Integer> port = m.integer("port", ConfigLimits.MIN_PORT, ConfigLimits.MAX_PORT, null);
        Optional<Protocol> protocol = m.parsed("protocol", false, VipsReader::protocol);
        Optional<Integer> tableSize = m.integer("table_size", MaglevTable.MIN_SIZE, MaglevTable.MAX_SIZE,
                MaglevTable.DEFAULT_SIZE);
        if (tableSize.isPresent() && !Primes.isPrime(tableSize.get())) {
            problems.add(m.field("table_size"), tableSize.get() + " is not prime (e.g. 65537 or 655373)");
            tableSize = Optional.empty();
        }
        Optional<AllDownPolicy> whenAllDown = m.parsed("when_all_down", false, VipsReader::allDownPolicy);
        Optional<Duration> slowStart = m.parsed("slow_start", false, Durations::parse);
        Optional<VipDosConfig> dos = m.value("dos").isPresent()
                ? new DosReader(problems).readVip(m.value("dos").get(), m.field("dos"))
                : Optional.of(VipDosConfig.DEFAULT);
        Optional<DrainSettings> drain = drainSettings(m);
        Optional<JsonNode> checkNode = m.value("health_check");
        int checkPort = port.orElse(ConfigLimits.MIN_PORT);
        Optional<HealthCheckConfig> vipCheck = checkNode.flatMap(n -> healthChecks.read(n, m.field("health_check"),
                checkPort));
        boolean checkValid = checkNode.isEmpty() || vipCheck.isPresent();
        // backends: a list, or {consul: {...}} to discover them (then the list starts empty).
        Optional<JsonNode> discoveryNode = m.value("backends").filter(JsonNode::isObject);
        int slots = tableSize.orElse(MaglevTable.DEFAULT_SIZE);
        Optional<ConsulDiscovery> discovery = discoveryNode.flatMap(n -> consul.discovery(n, m.field("backends"),
                vipCheck, slots));
        Optional<JsonNode> backendNodes = discoveryNode.isPresent()
                ? discovery.map(d -> (JsonNode) com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode())
                : m.sequence("backends");
        List<BackendConfig> backends = readBackends(backendNodes, m.field("backends"), checkNode, vipCheck,
                checkPort);
        Optional<JsonNode> registrationNode = m.value("consul");
        Optional<ConsulRegistration> registration = registrationNode.flatMap(n ->
                consul.registration(n, m.field("consul")));
        if (tableSize.isPresent() && backendNodes.isPresent() && tableSize.get() <= backendNodes.get().size()) {
            problems.add(m.field("table_size"), "must be greater than the number of backends ("
                    + backendNodes.get().size() + ")");
            tableSize = Optional.empty();
        }
        boolean complete = name.isPresent() && address.isPresent() && port.isPresent() && tableSize.isPresent()
                && backendNodes.isPresent() && backends.size() == backendNodes.get().size()
                && protocol.isPresent() == m.value("protocol").isPresent()
                && checkValid && whenAllDown.isPresent() == m.value("when_all_down").isPresent()
                && slowStart.isPresent() == m.value("slow_start").isPresent()
                && registration.isPresent() == registrationNode.isPresent() && dos.isPresent()
                && drain.isPresent();
        if (!complete) {
            return Optional.empty();
        }
        return Optional.of(new VipConfig(name.get(), address.get(), port.get(), protocol.orElse(Protocol.TCP),
                tableSize.get(), backends, whenAllDown.orElse(AllDownPolicy.FAIL_OPEN),
                slowStart.orElse(Duration.ZERO), registration, discovery, dos.get(), drain.get()));
    }

    /** drain_quiet_period (at least 1s) and drain_timeout (at least the quiet period); defaults in DrainSettings. */
    private Optional<DrainSettings> drainSettings(YamlMapping m) {
        Optional<Duration> quiet = m.parsed("drain_quiet_period", false, Durations::parse);
        Optional<Duration> timeout = m.parsed("drain_timeout", false, Durations::parse);
        if (quiet.isPresent() != m.value("drain_quiet_period").isPresent()
                || timeout.isPresent() != m.value("drain_timeout").isPresent()) {
            return Optional.empty();
        }
        Duration q = quiet.orElse(DrainSettings.DEFAULT_QUIET_PERIOD);
        Duration t = timeout.orElse(DrainSettings.DEFAULT_TIMEOUT);
        if (q.compareTo(MIN_DRAIN_QUIET_PERIOD) < 0) {
            problems.add(m.field("drain_quiet_period"), "must be at least 1s (the drain is sampled every second)");
            return Optional.empty();
        }
        if (t.compareTo(q) < 0) {
            problems.add(m.field("drain_timeout"), "must be at least drain_quiet_period (" + q.toSeconds() + "s)");
            return Optional.empty();
        }
        return Optional.of(new DrainSettings(q, t));
    }

    /** The valid backends; a shorter list than the input means some were reported. */
    private List<BackendConfig> readBackends(Optional<JsonNode> nodes, String path, Optional<JsonNode> vipCheckNode,
                                             Optional<HealthCheckConfig> vipCheck, int checkPort) {
        List<BackendConfig> backends = new ArrayList<>();
        if (nodes.isEmpty()) {
            return backends;
        }
        Map<InetAddress, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < nodes.get().size(); i++) {
            String itemPath = path + "[" + i + "]";
            Optional<YamlMapping> open = YamlMapping.open(nodes.get().get(i), itemPath, problems, BACKEND_KEYS);
            if (open.isEmpty()) {
                continue;
            }
            YamlMapping m = open.get();
            Optional<InetAddress> address = m.parsed("address", true, VipsReader::serviceAddress);
            Optional<Integer> weight = m.integer("weight", ConfigLimits.MIN_WEIGHT, ConfigLimits.MAX_WEIGHT,
                    ConfigLimits.DEFAULT_WEIGHT);
            Optional<Boolean> drain = m.bool("drain", false);
            if (address.isEmpty() || weight.isEmpty() || drain.isEmpty()) {
                continue;
            }
            Integer earlier = firstIndex.putIfAbsent(address.get(), i);
            if (earlier != null) {
                problems.add(m.field("address"), "duplicate backend " + address.get().getHostAddress()
                        + " (also " + path + "[" + earlier + "])");
                continue;
            }
            Optional<JsonNode> ownCheck = m.value("health_check");
            Optional<HealthCheckConfig> check = ownCheck.isEmpty() ? vipCheck
                    : healthChecks.readForBackend(vipCheckNode, ownCheck, m.field("health_check"), checkPort);
            if (ownCheck.isPresent() && check.isEmpty()) {
                continue;
            }
            backends.add(new BackendConfig(address.get(), weight.get(), check, drain.get()));
        }
        return backends;
    }

    private static String vipName(String text) {
        if (!VIP_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a VIP name (1..63 characters of a-z 0-9 _ -)");
        }
        return text;
    }

    private static InetAddress serviceAddress(String text) {
        InetAddress address = IpLiteral.parse(text);
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a unicast address");
        }
        return address;
    }

    private static AllDownPolicy allDownPolicy(String text) {
        try {
            return AllDownPolicy.valueOf(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a policy (expected fail_open or fail_closed)");
        }
    }

    private static Protocol protocol(String text) {
        try {
            return Protocol.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a protocol (expected tcp or udp)");
        }
    }
}
