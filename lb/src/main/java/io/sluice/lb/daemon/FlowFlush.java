package io.sluice.lb.daemon;

import io.sluice.lb.dataplane.DataplaneMaps;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * `sluiced --flush-flows`: empties the pinned flow cache of a running balancer. What an LB host that
 * restarts with an empty table, or a flow that ECMP moves to another LB host, looks like: every
 * established flow is re-chosen by the Maglev tables (second chance keeps the draining backends' flows).
 */
final class FlowFlush {
    private static final Logger log = LoggerFactory.getLogger("sluiced");

    private FlowFlush() {
    }

    static int run(Path pinDir) {
        try (DataplaneMaps maps = DataplaneMaps.openPinned(pinDir)) {
            long flushed = maps.flushFlows();
            log.info("event=flows_flushed pin_dir={} flows={}", pinDir, flushed);
            System.out.println("flushed " + flushed + " flows from " + pinDir);
            return Sluiced.EXIT_OK;
        } catch (RuntimeException e) {
            log.error("event=flush_failed pin_dir={} error=\"{}\"", pinDir, e.getMessage());
            return Sluiced.EXIT_DATAPLANE;
        }
    }
}
