package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The split between the local file and the fleet's shared document in Consul KV (consul.kv).
 * The shared document holds the sections every LB host must agree on, {@code vips} and {@code dos},
 * with exactly the file's schema and checks; the local file keeps what belongs to one host
 * (interface, gateway, encap sources, admin, consul, ...). A section is owned by one side only, so
 * "which one wins" never comes up: the file defining {@code vips} or DoS rules while KV is on is
 * an error, and so is the document defining a host setting.
 */
final class SharedConfigReader {
    /** The sections the shared document may hold. */
    static final List<String> SHARED_KEYS = List.of("vips", "dos");
    /** The one {@code dos} key that is host state, not fleet policy: it stays in the local file. */
    static final String HOST_DOS_KEY = "blocks_file";

    private SharedConfigReader() {
    }

    /** Reports shared sections the local file must not define when the shared config is on. */
    static void checkLocalFile(YamlMapping file, KvConfig kv, Problems problems) {
        String owner = "comes from Consul KV key " + kv.key() + " (consul.kv.prefix is set): define it there";
        if (file.value("vips").isPresent()) {
            problems.add("vips", owner + ", not in this file");
        }
        Optional<JsonNode> dos = file.value("dos");
        if (dos.isPresent() && dos.get().isObject()) {
            dos.get().fieldNames().forEachRemaining(key -> {
                if (!key.equals(HOST_DOS_KEY)) {
                    problems.add("dos." + key, owner + " (only dos." + HOST_DOS_KEY + " stays in this file)");
                }
            });
        }
    }

    /**
     * The local config with the document's VIPs and DoS rules, validated whole: every problem is
     * reported by its path in the document ({@code vips[0].backends[1].address}), cross-checks
     * against the host's settings (encapsulation sources) included.
     */
    static SluiceConfig read(SluiceConfig local, JsonNode document, Problems problems) {
        Optional<YamlMapping> top = YamlMapping.open(document, "", problems, SHARED_KEYS);
        if (top.isEmpty()) {
            return null;
        }
        YamlMapping m = top.get();
        List<VipsReader.ReadVip> vips = new VipsReader(problems).read(m);
        DosConfig dos = DosConfig.DEFAULT;
        if (m.value("dos").isPresent()) {
            JsonNode node = m.value("dos").get();
            if (node.isObject() && node.has(HOST_DOS_KEY)) {
                problems.add("dos." + HOST_DOS_KEY, "a host setting: set it in each host's local config file");
            }
            dos = new DosReader(problems).read(node, "dos").orElse(null);
        }
        new CrossChecks(problems).check(vips, local.encap());
        if (problems.any() || dos == null) {
            return null;
        }
        DosConfig withHostFile = new DosConfig(dos.allow(), dos.deny(), dos.sourcePackets(), dos.sourceNewFlows(),
                dos.tcpFlags(), dos.reflectionPorts(), dos.autoBlock(), local.dos().blocksFile());
        return local.withShared(vips.stream().map(VipsReader.ReadVip::vip).toList(), withHostFile);
    }
}
