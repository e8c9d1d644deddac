package io.sluice.lb.config;

import io.sluice.lb.dataplane.DataplaneAbi;

/** Bounds the configuration is checked against; the map capacities come from the BPF ABI. */
public final class ConfigLimits {
    /** A config beyond the map capacities could not be loaded into the maps. */
    public static final int MAX_VIPS = DataplaneAbi.MAX_VIPS;
    public static final int MAX_BACKENDS = DataplaneAbi.MAX_BACKENDS;

    public static final int MAX_INTERFACE_NAME = 15;
    public static final int MIN_MTU = 1280;
    public static final int MAX_MTU = 9216;
    public static final int MIN_FLOW_TABLE_SIZE = 1024;
    public static final int MAX_FLOW_TABLE_SIZE = 16_777_216;
    public static final int MIN_PORT = 1;
    public static final int MAX_PORT = 65_535;
    public static final int MIN_WEIGHT = 0;
    public static final int MAX_WEIGHT = 65_535;
    /** Shortest IPv4 encap source prefix: at most 24 host bits vary. */
    public static final int MIN_SOURCE_V4_PREFIX = 8;
    /** The data plane varies only the last 32-bit word of the IPv6 source. */
    public static final int MIN_SOURCE_V6_PREFIX = 96;

    public static final String DEFAULT_PIN_DIR = "/sys/fs/bpf/sluice";
    public static final String DEFAULT_STATUS_FILE = "/run/sluice/status.json";
    /** Prometheus scrapes here by default: loopback only, nothing reachable from the network. */
    public static final String DEFAULT_METRICS_HOST = "127.0.0.1";
    public static final int DEFAULT_METRICS_PORT = 9469;
    public static final int DEFAULT_MTU = 1500;
    public static final int DEFAULT_FLOW_TABLE_SIZE = 262_144;
    public static final int DEFAULT_WEIGHT = 100;

    private ConfigLimits() {
    }
}
