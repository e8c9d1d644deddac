package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Reads {@code bgp:}; every problem names its field (bgp.table, bgp.device, ...). */
final class BgpReader {
    static final List<String> KEYS = List.of("enabled", "device", "table", "on_crash", "host_state_file");
    /** Linux's own tables (unspec, default, main, local): never ours to fill. */
    private static final Set<Integer> RESERVED_TABLES = Set.of(0, 253, 254, 255);
    private static final long MAX_TABLE = Integer.MAX_VALUE;

    private final Problems problems;

    BgpReader(Problems problems) {
        this.problems = problems;
    }

    /** The settings, or empty when invalid (reported); no section = {@link BgpConfig#DISABLED}. */
    Optional<BgpConfig> read(Optional<JsonNode> node, String path, String interfaceName) {
        if (node.isEmpty()) {
            return Optional.of(BgpConfig.DISABLED);
        }
        Optional<YamlMapping> open = YamlMapping.open(node.get(), path, problems, KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        Optional<Boolean> enabled = m.bool("enabled", true);
        Optional<String> device = m.value("device").isEmpty() ? Optional.of(BgpConfig.DEFAULT_DEVICE)
                : m.parsed("device", true, ConfigReader::interfaceName);
        Optional<Integer> table = m.integer("table", 1, MAX_TABLE, BgpConfig.DEFAULT_TABLE);
        Optional<BgpConfig.OnCrash> onCrash = m.value("on_crash").isEmpty() ? Optional.of(BgpConfig.OnCrash.WITHDRAW)
                : m.parsed("on_crash", true, BgpReader::onCrash);
        Optional<Path> stateFile = m.value("host_state_file").isEmpty()
                ? Optional.of(BgpConfig.DEFAULT_HOST_STATE_FILE)
                : m.parsed("host_state_file", true, ConfigReader::absolutePath);
        if (enabled.isEmpty() || device.isEmpty() || table.isEmpty() || onCrash.isEmpty() || stateFile.isEmpty()) {
            return Optional.empty();
        }
        boolean valid = true;
        if (RESERVED_TABLES.contains(table.get())) {
            problems.add(m.field("table"), table.get() + " is one of the kernel's own tables (253 default, 254 main,"
                    + " 255 local): pick a table of sluice's own, e.g. " + BgpConfig.DEFAULT_TABLE);
            valid = false;
        }
        if (device.get().equals(interfaceName)) {
            problems.add(m.field("device"), "\"" + device.get() + "\" is the balancer's interface: the VIP routes"
                    + " need a device of their own, which sluiced creates");
            valid = false;
        }
        return valid ? Optional.of(new BgpConfig(enabled.get(), device.get(), table.get(), onCrash.get(),
                stateFile.get())) : Optional.empty();
    }

    private static BgpConfig.OnCrash onCrash(String text) {
        try {
            return BgpConfig.OnCrash.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not withdraw or keep");
        }
    }
}
