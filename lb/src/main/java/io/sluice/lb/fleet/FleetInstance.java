package io.sluice.lb.fleet;

import java.util.Objects;

/**
 * One LB host's registration of one VIP, as Consul's catalog holds it.
 *
 * @param service     the Consul service name
 * @param vip         the VIP's name (meta sluice_vip)
 * @param host        the LB host (meta lb_host; the node name when absent)
 * @param node        the Consul node the instance is registered on
 * @param serviceId   the instance's service ID
 * @param check       the instance's aggregate check status: passing, warning or critical
 * @param fingerprint the table fingerprint (meta table_fingerprint), or null when the host sets none
 *                    (a sluiced without this feature, or before its first reconcile)
 */
public record FleetInstance(String service, String vip, String host, String node, String serviceId, String check,
                            String fingerprint) {
    public FleetInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(serviceId, "serviceId");
        Objects.requireNonNull(check, "check");
    }
}
