package io.sluice.lb.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java mirror of sluice_abi.h against the truth: the BTF of the compiled objects
 * (struct sizes, member offsets and widths, enum names and values, map key/value types)
 * and the header's #defines. Any field moved, resized, added or renamed on either side
 * fails here, before it can corrupt a map.
 */
class DataplaneAbiBtfTest {

    private static final String OFFSET_PREFIX = "OFFSET_";
    private static final int BITS_PER_BYTE = 8;
    private static final long BPFTOOL_TIMEOUT_SECONDS = 30;
    /** enum bpf_map_type in linux/bpf.h. */
    private static final int BPF_MAP_TYPE_ARRAY = 2;

    /** C struct -> its Java mirror (member `gateway_mac` <-> constant OFFSET_GATEWAY_MAC). */
    private static final Map<String, Class<?>> STRUCTS = Map.ofEntries(
            Map.entry("sluice_vip_key", VipKey.class),
            Map.entry("sluice_vip_meta", VipMeta.class),
            Map.entry("sluice_vip_slot", VipSlot.class),
            Map.entry("sluice_vip_bucket", VipBucket.class),
            Map.entry("sluice_backend", BackendEntry.class),
            Map.entry("sluice_flow_key", FlowKey.class),
            Map.entry("sluice_flow4_key", FlowStructs.Key4.class),
            Map.entry("sluice_flow6_key", FlowStructs.Key6.class),
            Map.entry("sluice_flow4_bucket", FlowStructs.Bucket4.class),
            Map.entry("sluice_flow6_bucket", FlowStructs.Bucket6.class),
            Map.entry("sluice_config", LbConfigEntry.class),
            Map.entry("sluice_traffic", TrafficCounter.class),
            Map.entry("sluice_dos_rate", DosRate.class),
            Map.entry("sluice_dos_config", DosConfigEntry.class),
            Map.entry("sluice_dos_vip", DosVipEntry.class),
            Map.entry("sluice_dos_lpm4", DosLpm4Key.class),
            Map.entry("sluice_dos_lpm6", DosLpm6Key.class),
            Map.entry("sluice_dos_source_key", DosSourceKey.class),
            Map.entry("sluice_dos_source", DosSourceState.class));

    /** #defines whose Java name is not the C name without SLUICE_. */
    private static final Map<String, String> RENAMED_DEFINES = Map.of(
            "SLUICE_VIP_F_NONE", "VIP_FLAGS_NONE",
            "SLUICE_BACKEND_F_IN_USE", "BACKEND_FLAG_IN_USE");

    private static Btf balancer;
    private static Btf decap;

    @BeforeAll
    static void dumpBtf() {
        balancer = Btf.of(objectFile(DataplaneAbi.OBJECT_BALANCER));
        decap = Btf.of(objectFile(DataplaneAbi.OBJECT_DECAP));
    }

    @Test
    void everyStructMirrorHasTheSizeAndFieldOffsetsOfTheCStruct() {
        for (Map.Entry<String, Class<?>> e : STRUCTS.entrySet()) {
            JsonNode struct = balancer.named("STRUCT", e.getKey());
            Class<?> mirror = e.getValue();
            int size = struct.get("size").asInt();
            assertThat(staticInt(mirror, "SIZE")).as("%s.SIZE vs sizeof(struct %s)", mirror.getSimpleName(),
                    e.getKey()).isEqualTo(size);

            Map<String, Integer> cOffsets = new TreeMap<>();
            Map<String, Integer> cWidths = new HashMap<>();
            for (JsonNode member : struct.get("members")) {
                String name = OFFSET_PREFIX + member.get("name").asText().toUpperCase(Locale.ROOT);
                cOffsets.put(name, member.get("bits_offset").asInt() / BITS_PER_BYTE);
                cWidths.put(name, balancer.sizeOf(member.get("type_id").asInt()));
            }
            Map<String, Integer> javaOffsets = offsetConstants(mirror);
            assertThat(javaOffsets).as("offsets of %s vs struct %s", mirror.getSimpleName(), e.getKey())
                    .isEqualTo(cOffsets);

            // Each Java field spans up to the next offset (or SIZE): that span must be the C member's width.
            List<Map.Entry<String, Integer>> ordered = javaOffsets.entrySet().stream()
                    .sorted(Map.Entry.comparingByValue()).collect(Collectors.toList());
            for (int i = 0; i < ordered.size(); i++) {
                int end = i + 1 < ordered.size() ? ordered.get(i + 1).getValue() : size;
                String field = ordered.get(i).getKey();
                assertThat(end - ordered.get(i).getValue()).as("width of %s.%s", mirror.getSimpleName(), field)
                        .isEqualTo(cWidths.get(field));
            }
        }
    }

    @Test
    void reasonEnumMatchesEnumSluiceReason() {
        Map<String, Long> c = balancer.enumValues("sluice_reason");
        Map<String, Long> java = new TreeMap<>();
        for (Reason r : Reason.values()) {
            java.put(r.cName(), (long) r.value());
        }
        java.put("SLUICE_REASON_MAX", (long) Reason.COUNT);
        assertThat(java).isEqualTo(new TreeMap<>(c));
    }

    @Test
    void decapReasonEnumMatchesEnumSluiceDecapReasonInDecapObject() {
        Map<String, Long> c = decap.enumValues("sluice_decap_reason");
        Map<String, Long> java = new TreeMap<>();
        for (DecapReason r : DecapReason.values()) {
            java.put(r.cName(), (long) r.value());
        }
        java.put("SLUICE_DECAP_REASON_MAX", (long) DecapReason.COUNT);
        assertThat(java).isEqualTo(new TreeMap<>(c));
    }

    @Test
    void mapsAreTypedWithTheMirroredStructs() {
        assertMap(balancer, DataplaneAbi.MAP_VIPS, "__u32", "sluice_vip_bucket");
        assertMap(balancer, DataplaneAbi.MAP_BACKENDS, "__u32", "sluice_backend");
        assertMap(balancer, DataplaneAbi.MAP_FLOWS4, "__u32", "sluice_flow4_bucket");
        assertMap(balancer, DataplaneAbi.MAP_FLOWS6, "__u32", "sluice_flow6_bucket");
        assertMap(balancer, DataplaneAbi.MAP_LB_CONFIG, "__u32", "sluice_config");
        assertMap(balancer, DataplaneAbi.MAP_VIP_STATS, "__u32", "sluice_traffic");
        assertMap(balancer, DataplaneAbi.MAP_BACKEND_STATS, "__u32", "sluice_traffic");
        assertMap(balancer, DataplaneAbi.MAP_REASONS, "__u32", "__u64");
        assertThat(balancer.memberUint(balancer.mapDefinition(DataplaneAbi.MAP_REASONS).orElseThrow(), "max_entries"))
                .as("reasons has room beyond today's reasons").isEqualTo(DataplaneAbi.REASON_SLOTS);
        assertMap(decap, DataplaneAbi.MAP_DECAP_STATS, "__u32", "__u64");
        assertThat(balancer.mapDefinition(DataplaneAbi.MAP_MAGLEV_TABLES)).isPresent();
    }

    @Test
    void dosMapsAreTypedWithTheMirroredStructs() {
        assertMap(balancer, DosAbi.MAP_CONFIG, "__u32", "sluice_dos_config");
        assertMap(balancer, DosAbi.MAP_ALLOW4, "sluice_dos_lpm4", "__u32");
        assertMap(balancer, DosAbi.MAP_ALLOW6, "sluice_dos_lpm6", "__u32");
        assertMap(balancer, DosAbi.MAP_DENY4, "sluice_dos_lpm4", "__u32");
        assertMap(balancer, DosAbi.MAP_DENY6, "sluice_dos_lpm6", "__u32");
        assertMap(balancer, DosAbi.MAP_DENY_HITS, "__u32", "__u64");
        assertMap(balancer, DosAbi.MAP_ALLOW_PREFILTER4, "__u32", "__u64");
        assertMap(balancer, DosAbi.MAP_DENY24, "__u32", "__u32");
        assertMap(balancer, DosAbi.MAP_REFLECTION_PORTS, "__u32", "__u64");
        assertMap(balancer, DosAbi.MAP_VIPS, "__u32", "sluice_dos_vip");
        assertMap(balancer, DosAbi.MAP_VIP_FLOW_STATE, "__u32", "__u64");
        assertMap(balancer, DosAbi.MAP_SOURCES, "sluice_dos_source_key", "sluice_dos_source");
        JsonNode prefilter = balancer.mapDefinition(DosAbi.MAP_ALLOW_PREFILTER4).orElseThrow();
        assertThat(balancer.memberUint(prefilter, "max_entries")).isEqualTo(DosAbi.DOS_PREFILTER_WORDS);
        JsonNode deny24 = balancer.mapDefinition(DosAbi.MAP_DENY24).orElseThrow();
        assertThat(balancer.memberUint(deny24, "max_entries")).isEqualTo(DosAbi.DOS_DENY24_ENTRIES);
        JsonNode reflection = balancer.mapDefinition(DosAbi.MAP_REFLECTION_PORTS).orElseThrow();
        assertThat(balancer.memberUint(reflection, "max_entries")).isEqualTo(DosAbi.REFLECTION_WORDS);
        for (String list : List.of(DosAbi.MAP_ALLOW4, DosAbi.MAP_ALLOW6, DosAbi.MAP_DENY4, DosAbi.MAP_DENY6)) {
            assertThat(balancer.memberUint(balancer.mapDefinition(list).orElseThrow(), "max_entries"))
                    .as("max_entries of %s", list).isEqualTo(DosAbi.DOS_MAX_PREFIXES);
        }
        assertThat(balancer.memberUint(balancer.mapDefinition(DosAbi.MAP_DENY_HITS).orElseThrow(), "max_entries"))
                .isEqualTo(DosAbi.DOS_MAX_DENY_IDS);
        assertThat(balancer.memberUint(balancer.mapDefinition(DosAbi.MAP_SOURCES).orElseThrow(), "max_entries"))
                .isEqualTo(DosAbi.DOS_MAX_SOURCES);
    }

    @Test
    void dosHeaderDefinesMatchDosAbiConstants() throws IOException {
        Path header = sourceDir().resolve("include/dos_abi.h");
        Pattern define = Pattern.compile("^#define\\s+SLUICE_(DOS_\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)u?\\b", Pattern.MULTILINE);
        Matcher m = define.matcher(Files.readString(header));
        int checked = 0;
        while (m.find()) {
            assertThat(Integer.toUnsignedLong(staticInt(DosAbi.class, m.group(1))))
                    .as("DosAbi.%s", m.group(1)).isEqualTo(Long.decode(m.group(2)));
            checked++;
        }
        assertThat(checked).as("#defines found in %s", header).isGreaterThanOrEqualTo(10);
    }

    @Test
    void flowTablesAreMmapableArraysOfTheDefaultBucketCount() {
        for (FlowFamily family : FlowFamily.values()) {
            JsonNode flows = balancer.mapDefinition(family.mapName()).orElseThrow();
            assertThat(balancer.memberUint(flows, "type")).as(family.mapName()).isEqualTo(BPF_MAP_TYPE_ARRAY);
            assertThat(balancer.memberUint(flows, "map_flags")).isEqualTo(DataplaneAbi.FLOW_MAP_FLAGS);
            assertThat(balancer.memberUint(flows, "max_entries")).isEqualTo(DataplaneAbi.FLOW_MAP_ENTRIES);
        }
        assertThat(DataplaneAbi.flowMapEntries(DataplaneAbi.FLOW_TABLE_SIZE, 1)).isEqualTo(DataplaneAbi.FLOW_MAP_ENTRIES);
        assertThat(FlowCacheLayout.ofMaxEntries(DataplaneAbi.FLOW_MAP_ENTRIES))
                .isEqualTo(new FlowCacheLayout(DataplaneAbi.FLOW_BUCKETS));
        assertThat(1 << DataplaneAbi.FLOW_BUCKETS_LOG2).isEqualTo(DataplaneAbi.FLOW_BUCKETS);
        // A bucket keeps FLOW_WAYS keys first, then their backends and checks (FlowFamily's offsets).
        for (Map.Entry<String, Integer> bucket : Map.of("sluice_flow4_bucket", FlowStructs.Key4.SIZE,
                "sluice_flow6_bucket", FlowStructs.Key6.SIZE).entrySet()) {
            JsonNode keys = balancer.named("STRUCT", bucket.getKey()).get("members").get(0);
            assertThat(keys.get("name").asText()).isEqualTo("key");
            assertThat(balancer.sizeOf(keys.get("type_id").asInt())).as(bucket.getKey())
                    .isEqualTo(DataplaneAbi.FLOW_WAYS * bucket.getValue());
        }
        for (FlowFamily family : FlowFamily.values()) {
            JsonNode value = balancer.named("STRUCT", family == FlowFamily.IPV4 ? "sluice_flow4_bucket"
                    : "sluice_flow6_bucket");
            assertThat(value.get("size").asInt()).as(family.mapName()).isEqualTo(family.bucketSize());
        }
    }

    @Test
    void headerDefinesMatchDataplaneAbiConstants() throws IOException {
        Path header = sourceDir().resolve("include/sluice_abi.h");
        Pattern define = Pattern.compile("^#define\\s+(SLUICE_\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)(?:u|ull)?\\b",
                Pattern.MULTILINE);
        Matcher m = define.matcher(Files.readString(header));
        int checked = 0;
        while (m.find()) {
            String cName = m.group(1);
            String javaName = RENAMED_DEFINES.getOrDefault(cName, cName.substring("SLUICE_".length()));
            String text = m.group(2);
            long cValue = text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
            assertThat(staticUnsigned(DataplaneAbi.class, javaName))
                    .as("DataplaneAbi.%s vs %s", javaName, cName).isEqualTo(cValue);
            checked++;
        }
        assertThat(checked).as("#defines found in %s", header).isGreaterThanOrEqualTo(10);
    }

    @Test
    void packedSlotHoldsEveryBackendIdTwiceAndTheMarkerBitIsSpare() {
        assertThat(DataplaneAbi.MAX_BACKENDS).isLessThanOrEqualTo(DataplaneAbi.SLOT_PREV_MASK + 1);
        assertThat(DataplaneAbi.MAX_BACKENDS).isLessThanOrEqualTo(DataplaneAbi.SLOT_BACKEND_MASK + 1);
        int previousBits = DataplaneAbi.SLOT_PREV_MASK << DataplaneAbi.SLOT_PREV_SHIFT;
        assertThat(previousBits & DataplaneAbi.SLOT_BACKEND_MASK).isZero();
        assertThat(previousBits & DataplaneAbi.SLOT_PREV_VALID).isZero();
        int packed = PackedSlot.of(DataplaneAbi.MAX_BACKENDS - 1, DataplaneAbi.MAX_BACKENDS - 2);
        assertThat(PackedSlot.owner(packed)).isEqualTo(DataplaneAbi.MAX_BACKENDS - 1);
        assertThat(PackedSlot.previousOwner(packed)).isEqualTo(DataplaneAbi.MAX_BACKENDS - 2);
        assertThat(PackedSlot.previousOwner(PackedSlot.of(0))).isEqualTo(-1);
        // The flow cache stores the packed pair in the backend_id members: 32 bits for each way.
        for (String bucket : List.of("sluice_flow4_bucket", "sluice_flow6_bucket")) {
            JsonNode backendIds = StreamSupport.stream(balancer.named("STRUCT", bucket).get("members").spliterator(), false)
                    .filter(member -> member.get("name").asText().equals("backend_id")).findFirst().orElseThrow();
            assertThat(balancer.sizeOf(backendIds.get("type_id").asInt())).as(bucket)
                    .isEqualTo(DataplaneAbi.FLOW_WAYS * Integer.BYTES);
        }
    }

    private static void assertMap(Btf btf, String map, String keyType, String valueType) {
        JsonNode definition = btf.mapDefinition(map).orElseThrow(() -> new AssertionError("no map " + map));
        assertThat(btf.memberTypeName(definition, "key")).as("key type of %s", map).isEqualTo(keyType);
        assertThat(btf.memberTypeName(definition, "value")).as("value type of %s", map).isEqualTo(valueType);
    }

    private static Map<String, Integer> offsetConstants(Class<?> mirror) {
        Map<String, Integer> offsets = new TreeMap<>();
        for (Field f : mirror.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().startsWith(OFFSET_PREFIX)) {
                offsets.put(f.getName(), staticInt(mirror, f.getName()));
            }
        }
        return offsets;
    }

    /** A public static int (read unsigned) or long constant. */
    private static long staticUnsigned(Class<?> type, String name) {
        try {
            Object value = type.getField(name).get(null);
            return value instanceof Long l ? l : Integer.toUnsignedLong(((Number) value).intValue());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type.getSimpleName() + " has no public static constant " + name, e);
        }
    }

    private static int staticInt(Class<?> type, String name) {
        try {
            return type.getField(name).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type.getSimpleName() + " has no public static int " + name, e);
        }
    }

    static Path objectFile(String name) {
        String dir = System.getProperty(BpfObjectFiles.DIRECTORY_PROPERTY);
        Path file = dir != null ? Path.of(dir, name) : sourceDir().resolve("out").resolve(name);
        assertThat(file).as("compiled BPF object (build bpf-xdp first)").isRegularFile();
        return file;
    }

    static Path sourceDir() {
        String dir = System.getProperty("sluice.bpf.src.dir");
        if (dir != null) {
            return Path.of(dir);
        }
        return Files.isDirectory(Path.of("../bpf-xdp")) ? Path.of("../bpf-xdp") : Path.of("bpf-xdp");
    }

    /** `bpftool -j btf dump file` of one object, with the few lookups these checks need. */
    private record Btf(Map<Integer, JsonNode> byId) {

        static Btf of(Path object) {
            try {
                Process p = new ProcessBuilder("bpftool", "-j", "btf", "dump", "file", object.toString())
                        .redirectErrorStream(true).start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(BPFTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("bpftool btf dump " + object + ": "
                            + new String(out, StandardCharsets.UTF_8));
                }
                Map<Integer, JsonNode> types = new HashMap<>();
                for (JsonNode t : new ObjectMapper().readTree(out).get("types")) {
                    types.put(t.get("id").asInt(), t);
                }
                return new Btf(types);
            } catch (IOException e) {
                throw new AssertionError("running bpftool on " + object, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        JsonNode named(String kind, String name) {
            return byId.values().stream()
                    .filter(t -> kind.equals(t.path("kind").asText()) && name.equals(t.path("name").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the object's BTF"));
        }

        Map<String, Long> enumValues(String name) {
            Map<String, Long> values = new HashMap<>();
            for (JsonNode v : named("ENUM", name).get("values")) {
                values.put(v.get("name").asText(), v.get("val").asLong());
            }
            return values;
        }

        /** Byte size of a type, through typedefs and qualifiers. */
        int sizeOf(int typeId) {
            JsonNode t = byId.get(typeId);
            switch (t.get("kind").asText()) {
                case "INT", "STRUCT", "UNION", "ENUM", "ENUM64":
                    return t.get("size").asInt();
                case "ARRAY":
                    return t.get("nr_elems").asInt() * sizeOf(t.get("type_id").asInt());
                case "TYPEDEF", "VOLATILE", "CONST", "RESTRICT":
                    return sizeOf(t.get("type_id").asInt());
                default:
                    throw new AssertionError("unexpected BTF kind in an ABI struct: " + t);
            }
        }

        /** The anonymous struct of a libbpf map definition (`struct { __uint(type, ...); ... } name SEC(".maps")`). */
        Optional<JsonNode> mapDefinition(String map) {
            return byId.values().stream()
                    .filter(t -> "VAR".equals(t.path("kind").asText()) && map.equals(t.path("name").asText()))
                    .map(t -> byId.get(t.get("type_id").asInt()))
                    .filter(t -> "STRUCT".equals(t.path("kind").asText()))
                    .findFirst();
        }

        /** `__uint(name, N)` is a member `name` of type int (*)[N]: N. */
        int memberUint(JsonNode definition, String member) {
            for (JsonNode m : definition.get("members")) {
                if (member.equals(m.get("name").asText())) {
                    JsonNode pointer = byId.get(m.get("type_id").asInt());
                    return byId.get(pointer.get("type_id").asInt()).get("nr_elems").asInt();
                }
            }
            throw new AssertionError("map definition has no " + member + ": " + definition);
        }

        /** `__type(key, T)` is a member `key` of type T *: the name of T (struct or typedef). */
        String memberTypeName(JsonNode definition, String member) {
            for (JsonNode m : definition.get("members")) {
                if (member.equals(m.get("name").asText())) {
                    JsonNode pointer = byId.get(m.get("type_id").asInt());
                    return byId.get(pointer.get("type_id").asInt()).path("name").asText();
                }
            }
            throw new AssertionError("map definition has no " + member + ": " + definition);
        }
    }
}
