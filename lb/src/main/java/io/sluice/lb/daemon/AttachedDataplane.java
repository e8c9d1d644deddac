package io.sluice.lb.daemon;

import io.sluice.lb.bpf.BpfException;
import io.sluice.lb.bpf.BpfLink;
import io.sluice.lb.bpf.BpfObject;
import io.sluice.lb.bpf.BpfProgram;
import io.sluice.lb.bpf.XdpMode;
import io.sluice.lb.dataplane.BpfObjectFiles;
import io.sluice.lb.dataplane.DataplaneAbi;
import io.sluice.lb.dataplane.DataplaneMaps;
import io.sluice.lb.dataplane.DosMaps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The balancer attached to an interface, with its maps pinned under one directory.
 *
 * <p>Either adopted (a pinned link exists: a previous daemon attached it; we reuse the pinned maps and
 * keep its program, or swap in this build's through the link if the code differs) or freshly
 * attached (load the object with its maps pinned, attach through
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
    private final BpfObject object;
    private final DosMaps dosMaps;
    private final List<Path> strayPins;

    private AttachedDataplane(BpfLink link, DataplaneMaps maps, boolean adopted, BpfObject object,
                              List<Path> strayPins) {
        this.link = link;
        this.maps = maps;
        this.adopted = adopted;
        this.object = object;
        this.dosMaps = DosMaps.of(object);
        this.strayPins = strayPins;
    }

    /**
     * Adopts the pinned data plane if there is one, else loads, attaches and pins a new one.
     *
     * <p>Either way this build's balancer object is loaded with its maps pinned under the
     * directory, so libbpf reuses the pinned maps (flow cache, counters, tables stay). When
     * adopting, the running program is replaced atomically through the pinned bpf_link if its
     * code differs from this build's (an upgrade); pinned maps whose layout does not match this
     * build make libbpf refuse the load, and the daemon refuses to mix them with a clear error.
     */
    public static AttachedDataplane attachOrAdopt(String interfaceName, int ifindex, Path pinDir, XdpMode mode,
                                                  int flowTableSize) {
        Path linkPin = pinDir.resolve(LINK_PIN);
        if (Files.exists(linkPin)) {
            return adopt(interfaceName, ifindex, pinDir, linkPin, flowTableSize);
        }
        return attach(interfaceName, ifindex, pinDir, linkPin, mode, flowTableSize);
    }

    private static AttachedDataplane adopt(String interfaceName, int ifindex, Path pinDir, Path linkPin,
                                           int flowTableSize) {
        BpfLink link = BpfLink.openPinned(linkPin);
        BpfObject object = null;
        try {
            int linkedIfindex = link.info().ifindex();
            if (linkedIfindex != ifindex) {
                throw new IllegalStateException("the data plane pinned at " + pinDir + " is attached to ifindex "
                        + linkedIfindex + ", but the config names " + interfaceName + " (ifindex " + ifindex
                        + "); run `sluiced --detach` with the old config first, or use another pin_dir");
            }
            String runningTag;
            try (BpfProgram running = BpfProgram.fromId(link.info().programId())) {
                runningTag = running.tag();
            }
            object = loadWithPinnedMaps(pinDir, flowTableSize);
            try (BpfProgram candidate = object.program(DataplaneAbi.PROG_BALANCER)) {
                if (candidate.tag().equals(runningTag)) {
                    log.info("event=adopted interface={} ifindex={} pin_dir={} program_id={} program_tag={}",
                            interfaceName, ifindex, pinDir, link.info().programId(), runningTag);
                } else {
                    int before = link.info().programId();
                    link.updateProgram(candidate);
                    log.info("event=program_upgraded interface={} pin_dir={} from_tag={} to_tag={} from_id={} to_id={}"
                            + " maps=kept", interfaceName, pinDir, runningTag, candidate.tag(), before,
                            link.info().programId());
                }
            }
            removeRetiredPins(pinDir);
            return new AttachedDataplane(link, DataplaneMaps.of(object), true, object, reportStrayPins(pinDir, object));
        } catch (RuntimeException e) {
            if (object != null) {
                object.close();
            }
            link.close();
            throw e;
        }
    }

    private static AttachedDataplane attach(String interfaceName, int ifindex, Path pinDir, Path linkPin,
                                            XdpMode mode, int flowTableSize) {
        createDirectories(pinDir);
        BpfObject object = loadWithPinnedMaps(pinDir, flowTableSize);
        try (BpfProgram balancer = object.program(DataplaneAbi.PROG_BALANCER)) {
            BpfLink link = BpfLink.attachXdp(balancer, ifindex, mode);
            link.pin(linkPin);
            log.info("event=attached interface={} ifindex={} mode={} pin_dir={} program_id={} program_tag={}",
                    interfaceName, ifindex, link.mode(), pinDir, link.info().programId(), balancer.tag());
            return new AttachedDataplane(link, DataplaneMaps.of(object), false, object,
                    reportStrayPins(pinDir, object));
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** This build's balancer with every map reusing its pin (or pinned fresh when there is none). */
    private static BpfObject loadWithPinnedMaps(Path pinDir, int flowTableSize) {
        try {
            return DataplaneAbi.sizeFlowCache(BpfObject.open(BpfObjectFiles.balancer()).pinMapsUnder(pinDir),
                    flowTableSize).load();
        } catch (BpfException e) {
            throw new IllegalStateException("the maps pinned under " + pinDir + " do not match this build's layout"
                    + " or flow_table_size (" + e.getMessage() + "); refusing to mix them. The running data plane"
                    + " is untouched: keep the old build and config, or `sluiced --detach` (forgets remembered"
                    + " flows) and start again", e);
        }
    }

    /** Whether the program is still attached through the link (false once detached, e.g. by `sluiced --detach`). */
    public boolean attached() {
        try {
            return link.info().ifindex() != 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * An upgrade from an older ABI runs on the current maps (flows4, flows6c, reasons) as soon as
     * the program is replaced; a pin of an older layout (ABI 5-8's `flows`, ABI 9's `flows6`, ABI
     * 10's `reason_stats`) would keep its memory (a flow table's is 26 MB by default) for nothing.
     */
    private static void removeRetiredPins(Path pinDir) {
        for (String name : DataplaneAbi.MAPS_RETIRED) {
            Path retired = pinDir.resolve(name);
            try {
                if (Files.deleteIfExists(retired)) {
                    log.info("event=retired_pin_removed pin={} reason=\"a map of an older ABI; what it held (flows,"
                            + " counts) is forgotten\"", retired);
                }
            } catch (IOException e) {
                log.warn("event=retired_pin_kept pin={} error=\"{}\"", retired, e.getMessage());
            }
        }
    }

    /** One warning per pin this build does not use (StrayPins): it keeps its memory until removed. */
    private static List<Path> reportStrayPins(Path pinDir, BpfObject object) {
        List<String> used = new ArrayList<>(object.mapNames());
        used.add(LINK_PIN);
        List<Path> strays = StrayPins.in(pinDir, used);
        for (Path stray : strays) {
            log.warn("event=stray_pin pin={} reason=\"not a map of this build (a newer build's table, left by a"
                    + " downgrade?); it keeps its memory until removed (rm, or sluiced --detach)\"", stray);
        }
        return strays;
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

    /** The DoS stage's maps (io.sluice.lb.dos keeps them). */
    public DosMaps dosMaps() {
        return dosMaps;
    }

    public boolean adopted() {
        return adopted;
    }

    /** Pins in the directory this build does not use, as found at start (logged as event=stray_pin). */
    public List<Path> strayPins() {
        return strayPins;
    }

    public BpfLink link() {
        return link;
    }

    @Override
    public void close() {
        dosMaps.close();
        maps.close();
        link.close();
        object.close();
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating pin directory " + dir, e);
        }
    }
}
