package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.dataplane.DosAbi;
import io.sluice.lb.dataplane.DosRate;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the `dos:` section and each VIP's `dos:` key; every bad value is reported with its field. */
final class DosReader {
    static final List<String> DOS_KEYS = List.of("allow", "deny", "source_packets", "source_new_flows", "tcp_flags",
            "reflection_ports", "auto_block", "blocks_file");
    static final List<String> RATE_KEYS = List.of("rate", "burst");
    static final List<String> AUTO_BLOCK_KEYS = List.of("packets_per_second", "duration", "max_blocks");
    static final List<String> VIP_DOS_KEYS = List.of("new_flows", "fragments", "reflection_ports");

    static final int MAX_RATE = 1_000_000_000;
    static final int MAX_BLOCKS = 100_000;
    static final int DEFAULT_MAX_BLOCKS = 10_000;
    static final Duration DEFAULT_BLOCK_DURATION = Duration.ofMinutes(5);
    static final Duration MIN_BLOCK_DURATION = Duration.ofSeconds(1);
    static final Duration MAX_BLOCK_DURATION = Duration.ofDays(7);

    private final Problems problems;

    DosReader(Problems problems) {
        this.problems = problems;
    }

    /** The section, or empty when something in it was reported. */
    Optional<DosConfig> read(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, DOS_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        int before = problemCount();
        List<Cidr> allow = prefixes(m, "allow");
        List<Cidr> deny = prefixes(m, "deny");
        Optional<DosRate> packets = rate(m, "source_packets");
        Optional<DosRate> flows = rate(m, "source_new_flows");
        Optional<Boolean> tcpFlags = m.bool("tcp_flags", true);
        List<Integer> reflection = m.value("reflection_ports").isPresent()
                ? ports(m, "reflection_ports", Integer.MAX_VALUE) : DosConfig.DEFAULT_REFLECTION_PORTS;
        Optional<DosConfig.AutoBlock> autoBlock = m.value("auto_block").isPresent()
                ? autoBlock(m.value("auto_block").get(), m.field("auto_block")) : Optional.of(DosConfig.AutoBlock.OFF);
        Optional<Path> blocksFile = m.parsed("blocks_file", false, DosReader::absoluteFile);
        if (problemCount() != before || packets.isEmpty() || flows.isEmpty() || tcpFlags.isEmpty()
                || autoBlock.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DosConfig(allow, deny, packets.get(), flows.get(), tcpFlags.get(), reflection,
                autoBlock.get(), blocksFile.orElse(DosConfig.DEFAULT_BLOCKS_FILE)));
    }

    /** A VIP's `dos:` key, or empty when something in it was reported. */
    Optional<VipDosConfig> readVip(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, VIP_DOS_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        int before = problemCount();
        Optional<DosRate> newFlows = rate(m, "new_flows");
        Optional<Boolean> pass = m.parsed("fragments", false, DosReader::fragmentPolicy);
        List<Integer> ports = ports(m, "reflection_ports", DosAbi.DOS_VIP_PORTS);
        if (problemCount() != before || newFlows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new VipDosConfig(newFlows.get(), pass.orElse(false), ports));
    }

    private int problemCount() {
        return problems.list().size();
    }

    private List<Cidr> prefixes(YamlMapping m, String key) {
        Optional<JsonNode> list = m.sequence(key);
        List<Cidr> result = new ArrayList<>();
        if (list.isEmpty()) {
            return result;
        }
        Map<Cidr, Integer> first = new HashMap<>();
        int v4 = 0;
        int v6 = 0;
        for (int i = 0; i < list.get().size(); i++) {
            String field = m.field(key) + "[" + i + "]";
            JsonNode item = list.get().get(i);
            if (!item.isTextual()) {
                problems.add(field, "must be a prefix such as 192.0.2.0/24, got " + YamlMapping.describe(item));
                continue;
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(item.asText());
            } catch (IllegalArgumentException e) {
                problems.add(field, e.getMessage());
                continue;
            }
            Integer earlier = first.putIfAbsent(cidr, i);
            if (earlier != null) {
                problems.add(field, "duplicate prefix " + cidr + " (also " + m.field(key) + "[" + earlier + "])");
                continue;
            }
            if (cidr.isIpv4()) {
                v4++;
            } else {
                v6++;
            }
            result.add(cidr);
        }
        if (Math.max(v4, v6) > DosAbi.DOS_MAX_PREFIXES) {
            problems.add(m.field(key), "at most " + DosAbi.DOS_MAX_PREFIXES + " prefixes per address family, got "
                    + v4 + " IPv4 and " + v6 + " IPv6");
        }
        return result;
    }

    /** `{rate: N, burst: N}`; absent = no limit; burst defaults to one second's worth. */
    private Optional<DosRate> rate(YamlMapping parent, String key) {
        Optional<JsonNode> node = parent.value(key);
        if (node.isEmpty()) {
            return Optional.of(DosRate.NONE);
        }
        Optional<YamlMapping> open = YamlMapping.open(node.get(), parent.field(key), problems, RATE_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<Integer> rate = m.integer("rate", 1, MAX_RATE, null);
        Optional<Integer> burst = m.integer("burst", 1, MAX_RATE, rate.orElse(1));
        if (rate.isEmpty() || burst.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DosRate(rate.get(), burst.get()));
    }

    private List<Integer> ports(YamlMapping m, String key, int max) {
        Optional<JsonNode> list = m.sequence(key);
        List<Integer> ports = new ArrayList<>();
        if (list.isEmpty()) {
            return ports;
        }
        for (int i = 0; i < list.get().size(); i++) {
            JsonNode item = list.get().get(i);
            String field = m.field(key) + "[" + i + "]";
            if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < ConfigLimits.MIN_PORT
                    || item.intValue() > ConfigLimits.MAX_PORT) {
                problems.add(field, "must be a port in " + ConfigLimits.MIN_PORT + ".." + ConfigLimits.MAX_PORT
                        + ", got " + YamlMapping.describe(item));
            } else if (ports.contains(item.intValue())) {
                problems.add(field, "duplicate port " + item.intValue());
            } else {
                ports.add(item.intValue());
            }
        }
        if (ports.size() > max) {
            problems.add(m.field(key), "at most " + max + " ports, got " + ports.size());
        }
        return ports;
    }

    private Optional<DosConfig.AutoBlock> autoBlock(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, AUTO_BLOCK_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<Integer> pps = m.integer("packets_per_second", 1, MAX_RATE, null);
        Optional<Duration> duration = m.parsed("duration", false, Durations::parse);
        if (duration.isPresent() && (duration.get().compareTo(MIN_BLOCK_DURATION) < 0
                || duration.get().compareTo(MAX_BLOCK_DURATION) > 0)) {
            problems.add(m.field("duration"), "must be between 1s and 10080m (7 days), got " + m.value("duration").get().asText());
            duration = Optional.empty();
        } else if (duration.isEmpty() && m.value("duration").isEmpty()) {
            duration = Optional.of(DEFAULT_BLOCK_DURATION);
        }
        Optional<Integer> maxBlocks = m.integer("max_blocks", 1, MAX_BLOCKS, DEFAULT_MAX_BLOCKS);
        if (pps.isEmpty() || duration.isEmpty() || maxBlocks.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DosConfig.AutoBlock(pps.get(), duration.get(), maxBlocks.get()));
    }

    private static boolean fragmentPolicy(String text) {
        return switch (text) {
            case "drop" -> false;
            case "pass" -> true;
            default -> throw new IllegalArgumentException("\"" + text + "\" is not a fragment policy (expected drop or pass)");
        };
    }

    private static Path absoluteFile(String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a path: " + e.getReason());
        }
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException("\"" + text + "\" must be an absolute path without . or .. parts");
        }
        return path;
    }
}
