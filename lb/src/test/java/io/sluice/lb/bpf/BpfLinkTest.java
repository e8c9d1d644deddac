package io.sluice.lb.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attaches XDP programs through bpf_links to a veth pair this test creates in the host
 * namespace (names unique per JVM) and deletes afterwards. No traffic is sent.
 */
class BpfLinkTest {

    private static final int PID_SUFFIX_MODULO = 100_000;

    @TempDir
    static Path buildDir;
    private static Path objectFile;

    private final String vethA = "slbt" + ProcessHandle.current().pid() % PID_SUFFIX_MODULO + "a";
    private final String vethB = "slbt" + ProcessHandle.current().pid() % PID_SUFFIX_MODULO + "b";
    private Path pinDir;

    @BeforeAll
    static void compile() {
        assumeTrue(BpfTestSupport.isRoot(), "attaching XDP needs root");
        objectFile = BpfTestSupport.compileTestObject("binding_test", buildDir);
    }

    @BeforeEach
    void createVeth() {
        BpfTestSupport.run(List.of("ip", "link", "add", vethA, "type", "veth", "peer", "name", vethB));
        BpfTestSupport.run(List.of("ip", "link", "set", vethA, "up"));
        BpfTestSupport.run(List.of("ip", "link", "set", vethB, "up"));
        pinDir = BpfTestSupport.newPinDir("link");
    }

    @AfterEach
    void deleteVeth() {
        BpfTestSupport.removePinDir(pinDir);
        BpfTestSupport.run(List.of("ip", "link", "del", vethA));
    }

    @Test
    void pinnedLinkSurvivesCloseIsAdoptedUpdatedAndDetached() throws IOException {
        int ifindex = ifindex(vethA);
        Path linkPin = pinDir.resolve("link");
        try (BpfObject object = BpfObject.open(objectFile).load();
             BpfProgram pass = object.program("xdp_pass_all");
             BpfProgram drop = object.program("xdp_drop_all")) {

            try (BpfLink link = BpfLink.attachXdp(pass, ifindex, XdpMode.AUTO)) {
                assertThat(link.mode()).as("veth has native XDP").isEqualTo(XdpMode.NATIVE);
                assertThat(link.info()).satisfies(info -> {
                    assertThat(info.ifindex()).isEqualTo(ifindex);
                    assertThat(info.programId()).isEqualTo(pass.id());
                    assertThat(info.linkId()).isPositive();
                });
                link.pin(linkPin);
            }
            assertThat(xdpProgramIdOn(vethA)).as("closing the fd of a pinned link keeps it attached")
                    .isEqualTo(pass.id());

            try (BpfLink adopted = BpfLink.openPinned(linkPin)) {
                assertThat(adopted.mode()).isEqualTo(XdpMode.NATIVE);
                assertThat(adopted.info().ifindex()).isEqualTo(ifindex);
                assertThat(adopted.info().programId()).isEqualTo(pass.id());

                adopted.updateProgram(drop);
                assertThat(adopted.info().programId()).isEqualTo(drop.id());
                assertThat(xdpProgramIdOn(vethA)).isEqualTo(drop.id());

                adopted.detach();
                assertThat(adopted.info().ifindex()).as("a detached link has no interface").isZero();
                assertThat(xdpProgramIdOn(vethA)).isZero();
            }
        }
    }

    @Test
    void genericModeIsReportedAsGenericAfterAdoption() {
        int ifindex = ifindex(vethB);
        Path linkPin = pinDir.resolve("generic");
        try (BpfObject object = BpfObject.open(objectFile).load();
             BpfProgram pass = object.program("xdp_pass_all")) {
            try (BpfLink link = BpfLink.attachXdp(pass, ifindex, XdpMode.GENERIC)) {
                assertThat(link.mode()).isEqualTo(XdpMode.GENERIC);
                link.pin(linkPin);
            }
            try (BpfLink adopted = BpfLink.openPinned(linkPin)) {
                assertThat(adopted.mode()).isEqualTo(XdpMode.GENERIC);
                adopted.detach();
            }
        }
    }

    @Test
    void secondAttachToTheSameInterfaceFailsWithErrno() {
        int ifindex = ifindex(vethA);
        try (BpfObject object = BpfObject.open(objectFile).load();
             BpfProgram pass = object.program("xdp_pass_all");
             BpfLink first = BpfLink.attachXdp(pass, ifindex, XdpMode.NATIVE)) {
            assertThatThrownBy(() -> BpfLink.attachXdp(pass, ifindex, XdpMode.NATIVE))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("ifindex " + ifindex)
                    .satisfies(e -> assertThat(((BpfException) e).errno()).isPositive());
            first.detach();
        }
    }

    @Test
    void closingAnUnpinnedLinkDetachesTheProgram() {
        int ifindex = ifindex(vethA);
        try (BpfObject object = BpfObject.open(objectFile).load();
             BpfProgram pass = object.program("xdp_pass_all")) {
            BpfLink link = BpfLink.attachXdp(pass, ifindex, XdpMode.NATIVE);
            assertThat(xdpProgramIdOn(vethA)).isEqualTo(pass.id());
            link.close();
            assertThat(xdpProgramIdOn(vethA)).isZero();
        }
    }

    private static int ifindex(String device) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", device, "ifindex")).trim());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of the XDP program `ip link` reports on the device, 0 if none. */
    private static int xdpProgramIdOn(String device) {
        String output = BpfTestSupport.run(List.of("ip", "-d", "link", "show", "dev", device));
        int at = output.indexOf("prog/xdp id ");
        if (at < 0) {
            return 0;
        }
        String rest = output.substring(at + "prog/xdp id ".length());
        return Integer.parseInt(rest.split("\\s+")[0]);
    }
}
