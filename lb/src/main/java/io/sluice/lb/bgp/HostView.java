package io.sluice.lb.bgp;

import java.util.Map;

/**
 * What GET /v1/host and {@code sluice host} show: whether BGP is on, the host drain, and each VIP
 * address's verdict (announced, or why not).
 */
public record HostView(boolean bgp, boolean drained, String since, Map<String, String> vips) {
    public static final HostView OFF = new HostView(false, false, null, Map.of());

    public HostView {
        vips = Map.copyOf(vips);
    }
}
