package io.sluice.lb.daemon;

import io.sluice.lb.config.SluiceConfig;

/** Settings fixed for the life of an attached data plane: a reload that changes them is refused. */
final class ReloadCompatibility {
    private ReloadCompatibility() {
    }

    /** The name of the first setting that differs and cannot change on reload, or null. */
    static String unchangeableDifference(SluiceConfig running, SluiceConfig candidate) {
        if (!running.interfaceName().equals(candidate.interfaceName())) {
            return "interface";
        }
        if (!running.pinDir().equals(candidate.pinDir())) {
            return "pin_dir";
        }
        if (running.flowTableSize() != candidate.flowTableSize()) {
            return "flow_table_size";
        }
        if (running.xdpMode() != candidate.xdpMode()) {
            return "xdp_mode";
        }
        if (!running.metricsListen().equals(candidate.metricsListen())) {
            return "metrics.listen";
        }
        if (!running.admin().equals(candidate.admin())) {
            return "admin";
        }
        if (!running.consul().equals(candidate.consul())) {
            return "consul";
        }
        if (!running.bgp().equals(candidate.bgp())) {
            return "bgp"; // the TUN device and its routing table are opened once, at startup
        }
        return null;
    }
}
