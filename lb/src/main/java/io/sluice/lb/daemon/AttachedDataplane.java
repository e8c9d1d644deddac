package io.sluice.lb.daemon;

import io.sluice.lb.bpf.BpfLink;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.XdpMode;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer attached to an interface, with its maps pinned under one directory.
 *
 * <p>Either adopted (a pinned link exists: a previous daemon attached it; we open the pinned maps and
 * never touch the program) or freshly attached (load the object with its maps pinned, attach through
 * a bpf_link, pin the link). Closing only closes file descriptors: the pinned link keeps the program
 * attached, so the data plane outlives the daemon (DESIGN.md property 1).
 */
public final class AttachedDataplane implements AutoCloseable {
    /** The pinned bpf_link, next to the maps. */
    public static final String LINK_PIN = "link";

    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private final BpfLink link;
    private final DataplaneMaps maps;
    private final boolean adopted;
    private final BpfObject object; // null when adopted: nothing was loaded

    private AttachedDataplane(BpfLink link, DataplaneMaps maps, boolean adopted, BpfObject object) {
        this.link = link;
        this.maps = maps;
        this.adopted = adopted;
        this.object = object;
    }

    /** Adopts the pinned data plane if there is one, else loads, attaches and pins a new one. */
    public static AttachedDataplane attachOrAdopt(String interfaceName, int ifindex, Path pinDir, XdpMode mode,
                                                  int flowTableSize) {
        Path linkPin = pinDir.resolve(LINK_PIN);
        if (Files.exists(linkPin)) {
            return adopt(interfaceName, ifindex, pinDir, linkPin);
        }
        return attach(interfaceName, ifindex, pinDir, linkPin, mode, flowTableSize);
    }

    private static AttachedDataplane adopt(String interfaceName, int ifindex, Path pinDir, Path linkPin) {
        BpfLink link = BpfLink.openPinned(linkPin);
        int linkedIfindex = link.info().ifindex();
        if (linkedIfindex != ifindex) {
            link.close();
            throw new IllegalStateException("the data plane pinned at " + pinDir + " is attached to ifindex "
                    + linkedIfindex + ", but the config names " + interfaceName + " (ifindex " + ifindex
                    + "); run `sluiced --detach` with the old config first, or use another pin_dir");
        }
        DataplaneMaps maps = DataplaneMaps.openPinned(pinDir);
        log.info("event=adopted interface={} ifindex={} pin_dir={} program_id={}", interfaceName, ifindex, pinDir,
                link.info().programId());
        return new AttachedDataplane(link, maps, true, null);
    }

    private static AttachedDataplane attach(String interfaceName, int ifindex, Path pinDir, Path linkPin,
                                            XdpMode mode, int flowTableSize) {
        createDirectories(pinDir);
        BpfObject object = BpfObject.open(BpfObjectFiles.balancer())
                .pinMapsUnder(pinDir)
                .setMaxEntries(DataplaneAbi.MAP_FLOWS, DataplaneAbi.flowBuckets(flowTableSize))
                .load();
        try (BpfProgram balancer = object.program(DataplaneAbi.PROG_BALANCER)) {
            BpfLink link = BpfLink.attachXdp(balancer, ifindex, mode);
            link.pin(linkPin);
            log.info("event=attached interface={} ifindex={} mode={} pin_dir={} program_id={}", interfaceName,
                    ifindex, link.mode(), pinDir, link.info().programId());
            return new AttachedDataplane(link, DataplaneMaps.of(object), false, object);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * Removes the program from the interface and every pin under the directory. The one way the
     * data plane stops: an explicit operator command, never a daemon exit.
     */
    public static boolean detach(Path pinDir) {
        Path linkPin = pinDir.resolve(LINK_PIN);
        boolean detached = false;
        if (Files.exists(linkPin)) {
            try (BpfLink link = BpfLink.openPinned(linkPin)) {
                link.detach();
                detached = true;
            }
        }
        if (Files.isDirectory(pinDir)) {
            try (Stream<Path> pins = Files.list(pinDir)) {
                for (Path pin : (Iterable<Path>) pins::iterator) {
                    Files.deleteIfExists(pin);
                }
                Files.deleteIfExists(pinDir);
            } catch (IOException e) {
                throw new UncheckedIOException("removing pins under " + pinDir, e);
            }
        }
        return detached;
    }

    public DataplaneMaps maps() {
        return maps;
    }

    public boolean adopted() {
        return adopted;
    }

    public BpfLink link() {
        return link;
    }

    @Override
    public void close() {
        maps.close();
        link.close();
        if (object != null) {
            object.close();
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating pin directory " + dir, e);
        }
    }
}
