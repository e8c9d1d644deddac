package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.config.ConsulRegistration;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.net.AddressText;
import java.time.Duration;
import java.util.Locale;

/**
 * One VIP as a Consul service instance: the body of PUT /v1/agent/service/register, with the TTL
 * check sluiced keeps up to date.
 */
record VipRegistration(String vip, String serviceId, String checkId, ConsulRegistration registration,
                       String address, int port, String protocol, Duration ttl, Duration deregisterAfter,
                       String host, String version) {
    static final String ID_PREFIX = "sluice-";
    static final String CHECK_SUFFIX = "-dataplane";

    static VipRegistration of(VipConfig vip, ConsulRegistration registration, Duration ttl, Duration deregisterAfter,
                              String host, String version) {
        String id = ID_PREFIX + vip.name();
        return new VipRegistration(vip.name(), id, id + CHECK_SUFFIX, registration, AddressText.of(vip.address()),
                vip.port(), vip.protocol().name().toLowerCase(Locale.ROOT), ttl, deregisterAfter, host, version);
    }

    ObjectNode body() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode body = f.objectNode();
        body.put("ID", serviceId).put("Name", registration.service()).put("Address", address).put("Port", port);
        registration.tags().forEach(body.putArray("Tags")::add);
        body.putObject("Meta").put("lb_host", host).put("sluice_version", version).put("sluice_vip", vip)
                .put("protocol", protocol);
        body.putObject("Check").put("CheckID", checkId)
                .put("Name", "sluice data plane for VIP " + vip)
                .put("Notes", "passing while sluiced has the XDP program attached and the VIP has a healthy backend")
                .put("TTL", goDuration(ttl))
                .put("DeregisterCriticalServiceAfter", goDuration(deregisterAfter))
                .put("Status", "critical");
        return body;
    }

    /** Consul reads Go durations. */
    static String goDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
