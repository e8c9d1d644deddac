package io.sluice.lb.dataplane;

import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfTestSupport;
import java.nio.file.Path;

/**
 * balancer.o loaded (not attached) with its maps pinned under a fresh bpffs directory, and the
 * daemon's view of those maps: what the tests on real maps start from. Closing unloads it all.
 */
public final class PinnedBalancer implements AutoCloseable {
    private final Path pinDir;
    private final BpfObject object;
    private final DataplaneMaps maps;

    private PinnedBalancer(Path pinDir, BpfObject object) {
        this.pinDir = pinDir;
        this.object = object;
        this.maps = DataplaneMaps.of(object);
    }

    /** {@code label} names the pin directory; the flow cache has room for {@code flowsPerCpu} flows per CPU. */
    public static PinnedBalancer load(String label, int flowsPerCpu) {
        Path dir = BpfTestSupport.newPinDir(label);
        return new PinnedBalancer(dir, load(dir, flowsPerCpu));
    }

    /** Another balancer.o pinned under {@code dir}, for tests that need a second one. */
    public static BpfObject load(Path dir, int flowsPerCpu) {
        return DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()).pinMapsUnder(dir), flowsPerCpu)
                .load();
    }

    public Path pinDir() {
        return pinDir;
    }

    public BpfObject object() {
        return object;
    }

    public DataplaneMaps maps() {
        return maps;
    }

    @Override
    public void close() {
        maps.close();
        object.close();
        BpfTestSupport.removePinDir(pinDir);
    }
}
