package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.lb.bpf.BpfLink;
import io.sluice.lb.bpf.BpfMap;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.BpfTestSupport;
import io.sluice.lb.bpf.MapType;
import io.sluice.lb.bpf.MappedArray;
import io.sluice.lb.bpf.XdpMode;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.dataplane.VipKey;
import io.sluice.lb.dataplane.VipMeta;
import io.sluice.lb.net.NetworkInterfaces;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's attach / adopt / upgrade / detach lifecycle on a veth pair this test creates in
 * the host namespace, with real pins under bpffs.
 */
class AttachedDataplaneTest {
    private static final int FLOWS = 4096;
    private static final int PID_SUFFIX_MODULO = 100_000;
    /** The value size of the retired flow tables (ABI 5-8 and ABI 9's IPv6 table: 200-byte buckets). */
    private static final int OLD_FLOW_BUCKET_SIZE = 200;

    private final String veth = "slad" + ProcessHandle.current().pid() % PID_SUFFIX_MODULO;
    private Path pinDir;
    private int ifindex;

    @BeforeEach
    void createVeth() {
        assumeTrue(BpfTestSupport.isRoot(), "needs root for BPF and links");
        BpfTestSupport.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p"));
        BpfTestSupport.run(List.of("ip", "link", "set", veth, "up"));
        ifindex = NetworkInterfaces.ifindex(veth);
        pinDir = BpfTestSupport.newPinDir("adopt");
    }

    @AfterEach
    void removeVeth() {
        if (!BpfTestSupport.isRoot()) {
            return;
        }
        if (pinDir != null) {
            AttachedDataplane.detach(pinDir);
            BpfTestSupport.removePinDir(pinDir);
        }
        BpfTestSupport.run(List.of("sh", "-c", "ip link del " + veth + " 2>/dev/null || true"));
    }

    @Test
    void restartAdoptsAndAnUpgradeSwapsTheProgramKeepingMapsAndLink() throws Exception {
        VipKey marker = new VipKey(InetAddress.getByName("10.100.0.9"), 80, Protocol.TCP);
        String buildTag;
        int linkId;
        try (AttachedDataplane first = attach()) {
            assertThat(first.adopted()).isFalse();
            first.maps().putVip(marker, new VipMeta(7, 0));
            linkId = first.link().info().linkId();
            try (BpfProgram running = BpfProgram.fromId(first.link().info().programId())) {
                buildTag = running.tag();
            }
        }

        // An older build's program is running (stand-in: xdp_pass), as after a package upgrade.
        try (BpfLink link = BpfLink.openPinned(pinDir.resolve(AttachedDataplane.LINK_PIN));
             BpfObject old = BpfObject.open(BpfObjectFiles.locate("xdp_pass.o")).load();
             BpfProgram oldProgram = old.program("xdp_pass")) {
            link.updateProgram(oldProgram);
            assertThat(link.info().programId()).isEqualTo(oldProgram.id());
        }
        // ... and it pinned flow tables this build no longer uses (ABI 5-8's one table, ABI 9's IPv6 one).
        List<Path> retired = DataplaneAbi.MAPS_RETIRED.stream().map(pinDir::resolve).toList();
        for (Path pin : retired) {
            try (BpfMap oldFlows = BpfMap.create(MapType.ARRAY, pin.getFileName().toString(), Integer.BYTES,
                    OLD_FLOW_BUCKET_SIZE, DataplaneAbi.FLOW_MIN_BUCKETS, MappedArray.F_MMAPABLE)) {
                oldFlows.pin(pin);
            }
        }

        int upgradedProgramId;
        try (AttachedDataplane upgraded = attach()) {
            assertThat(upgraded.adopted()).isTrue();
            assertThat(upgraded.link().info().linkId()).as("never detached: the same link").isEqualTo(linkId);
            try (BpfProgram running = BpfProgram.fromId(upgraded.link().info().programId())) {
                assertThat(running.tag()).as("this build's program runs again").isEqualTo(buildTag);
            }
            assertThat(upgraded.maps().readVips()).as("maps kept").containsKey(marker);
            assertThat(retired).as("the retired flow tables' pins removed").noneMatch(Files::exists);
            assertThat(pinDir.resolve(DataplaneAbi.MAP_FLOWS4)).exists();
            assertThat(pinDir.resolve(DataplaneAbi.MAP_FLOWS6)).exists();
            upgradedProgramId = upgraded.link().info().programId();
        }

        try (AttachedDataplane again = attach()) {
            assertThat(again.link().info().programId()).as("same code: nothing swapped").isEqualTo(upgradedProgramId);
        }
    }

    @Test
    void aPinThisBuildDoesNotUseIsReportedAndKept() {
        try (AttachedDataplane first = attach()) {
            assertThat(first.strayPins()).as("every pin of a fresh attach is this build's").isEmpty();
        }
        // A newer build's table, left pinned by a downgrade to this one.
        Path newer = pinDir.resolve("flows_next");
        try (BpfMap table = BpfMap.create(MapType.ARRAY, "flows_next", Integer.BYTES, Long.BYTES, 16, 0)) {
            table.pin(newer);
        }

        try (AttachedDataplane adopted = attach()) {
            assertThat(adopted.adopted()).isTrue();
            assertThat(adopted.strayPins()).containsExactly(newer);
            assertThat(newer).as("reported, not removed").exists();
        }
    }

    @Test
    void pinnedMapsOfAnotherLayoutAreRefusedAndTheRunningDataPlaneIsLeftAlone() {
        int programId;
        try (AttachedDataplane first = attach()) {
            programId = first.link().info().programId();
        }

        assertThatThrownBy(() -> AttachedDataplane.attachOrAdopt(veth, ifindex, pinDir, XdpMode.NATIVE, FLOWS * 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("do not match this build's layout or flow_table_size")
                .hasMessageContaining("refusing to mix");

        try (BpfLink link = BpfLink.openPinned(pinDir.resolve(AttachedDataplane.LINK_PIN))) {
            assertThat(link.info().programId()).isEqualTo(programId);
            assertThat(link.info().ifindex()).isEqualTo(ifindex);
        }
    }

    @Test
    void detachRemovesTheProgramAndEveryPin() {
        attach().close();

        assertThat(AttachedDataplane.detach(pinDir)).isTrue();

        assertThat(Files.exists(pinDir)).isFalse();
        assertThat(BpfTestSupport.run(List.of("ip", "link", "show", veth))).doesNotContain("xdp");
    }

    @Test
    void aRunningDaemonSeesItsProgramDetachedBehindItsBack() {
        try (AttachedDataplane running = attach()) {
            assertThat(running.attached()).isTrue();
            AttachedDataplane.detach(pinDir); // what `sluiced --detach` does from another process
            assertThat(running.attached()).as("the Consul TTL check turns critical on this").isFalse();
        }
    }

    private AttachedDataplane attach() {
        return AttachedDataplane.attachOrAdopt(veth, ifindex, pinDir, XdpMode.NATIVE, FLOWS);
    }
}
