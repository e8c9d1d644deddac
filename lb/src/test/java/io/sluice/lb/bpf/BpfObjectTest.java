package io.sluice.lb.bpf;

import static io.sluice.lb.bpf.BpfMapTest.readU32;
import static io.sluice.lb.bpf.BpfMapTest.readU64;
import static io.sluice.lb.bpf.BpfMapTest.u32;
import static io.sluice.lb.bpf.BpfMapTest.u64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfObjectTest {

    private static final String OBJECT = "binding_test";
    private static final String REJECTED_OBJECT = "binding_test_rejected";

    @TempDir
    static Path buildDir;
    private static Path objectFile;
    private Path pinDir;

    @BeforeAll
    static void compile() {
        assumeTrue(BpfTestSupport.isRoot(), "loading BPF objects needs root");
        objectFile = BpfTestSupport.compileTestObject(OBJECT, buildDir);
    }

    @BeforeEach
    void newPinDir() {
        pinDir = BpfTestSupport.newPinDir("obj");
    }

    @AfterEach
    void removePins() {
        BpfTestSupport.removePinDir(pinDir);
    }

    @Test
    void listsMapsAndProgramsAndHandsOutIndependentFds() {
        BpfMap shared;
        try (BpfObject object = BpfObject.open(objectFile).load()) {
            assertThat(object.mapNames()).contains("shared", "resizable", "tables", "runs")
                    .anyMatch(name -> name.endsWith(".rodata"));
            assertThat(object.programNames()).contains("xdp_drop_all", "xdp_swap_mac", "xdp_grow");
            shared = object.map("shared");
            shared.update(u32(1), u64(11), UpdateFlags.ANY);
        }
        try (shared) {
            byte[] value = new byte[8];
            assertThat(shared.lookup(u32(1), value)).as("the map fd outlives the object").isTrue();
            assertThat(readU64(value)).isEqualTo(11L);
        }
    }

    @Test
    void unknownMapOrProgramNameIsAnErrorListingTheMaps() {
        try (BpfObject object = BpfObject.open(objectFile).load()) {
            assertThatThrownBy(() -> object.map("nope"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("nope")
                    .hasMessageContaining("shared");
            assertThatThrownBy(() -> object.program("nope")).isInstanceOf(BpfException.class)
                    .hasMessageContaining("nope");
        }
    }

    @Test
    void setMaxEntriesResizesBeforeLoad() {
        try (BpfObject object = BpfObject.open(objectFile).setMaxEntries("resizable", 1000).load();
             BpfMap resized = object.map("resizable")) {
            assertThat(resized.maxEntries()).isEqualTo(1000);
            assertThatThrownBy(() -> object.setMaxEntries("resizable", 5)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void secondLoadWithTheSamePinDirectoryReusesThePinnedMaps() throws IOException {
        int firstId;
        try (BpfObject first = BpfObject.open(objectFile).pinMapsUnder(pinDir).load();
             BpfMap shared = first.map("shared")) {
            firstId = shared.id();
            shared.update(u32(2), u64(4242), UpdateFlags.ANY);
        }
        assertThat(Files.exists(pinDir.resolve("shared"))).isTrue();
        try (Stream<Path> pins = Files.list(pinDir)) {
            assertThat(pins.map(p -> p.getFileName().toString()))
                    .as("libbpf's internal .rodata map belongs to one object build and is not pinned")
                    .containsExactlyInAnyOrder("shared", "resizable", "tables", "runs");
        }

        try (BpfObject second = BpfObject.open(objectFile).pinMapsUnder(pinDir).load();
             BpfMap shared = second.map("shared")) {
            assertThat(shared.id()).isEqualTo(firstId);
            byte[] value = new byte[8];
            shared.lookup(u32(2), value);
            assertThat(readU64(value)).isEqualTo(4242L);
        }
    }

    @Test
    void incompatiblePinnedMapFailsTheLoadWithLibbpfsReason() {
        try (BpfMap impostor = BpfMap.create(MapType.HASH, "shared", 4, 8, 4, 0)) {
            impostor.pin(pinDir.resolve("shared"));
        }
        BpfObject object = BpfObject.open(objectFile).pinMapsUnder(pinDir);
        try (object) {
            assertThatThrownBy(object::load)
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining(objectFile.toString())
                    .hasMessageContaining("libbpf:")
                    .hasMessageContaining("shared");
        }
    }

    @Test
    void innerMapOfAnotherSizeGoesIntoTheObjectsMapInMapAndReadsBackById() {
        try (BpfObject object = BpfObject.open(objectFile).load();
             BpfMap tables = object.map("tables");
             BpfMap inner = BpfMap.create(MapType.ARRAY, "bt_inner10", 4, 4, 10, BpfMap.F_INNER_MAP)) {
            assertThat(tables.type()).isEqualTo(MapType.ARRAY_OF_MAPS);
            inner.update(u32(9), u32(909), UpdateFlags.ANY);
            tables.update(u32(3), u32(inner.fd()), UpdateFlags.ANY);

            byte[] innerId = new byte[4];
            assertThat(tables.lookup(u32(3), innerId)).isTrue();
            try (BpfMap readBack = BpfMap.fromId(readU32(innerId))) {
                assertThat(readBack.maxEntries()).isEqualTo(10);
                byte[] value = new byte[4];
                readBack.lookup(u32(9), value);
                assertThat(readU32(value)).isEqualTo(909);
            }
            assertThat(tables.delete(u32(3))).isTrue();
            assertThat(tables.lookup(u32(3), innerId)).isFalse();
        }
    }

    @Test
    void verifierRejectionCarriesTheVerifierLog() {
        Path rejected = BpfTestSupport.compileTestObject(REJECTED_OBJECT, buildDir);
        try (BpfObject object = BpfObject.open(rejected)) {
            assertThatThrownBy(object::load)
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("load BPF object " + rejected)
                    .hasMessageContaining("PROG LOAD LOG")
                    .hasMessageContaining("invalid access to packet")
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isPositive());
        }
    }

    @Test
    void missingObjectFileIsAnErrorNamingIt() {
        Path missing = buildDir.resolve("missing.o");
        assertThatThrownBy(() -> BpfObject.open(missing))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining(missing.toString())
                .satisfies(e -> assertThat(((BpfException) e).errno()).isEqualTo(Errors.ENOENT));
    }
}
