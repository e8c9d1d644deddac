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
 *
 * @param tableFingerprint the VIP's table fingerprint for the table_fingerprint meta key,
 *                         null until the first reconcile (the key is left out)
 */
record VipRegistration(String vip, String serviceId, String checkId, ConsulRegistration registration,
                       String address, int port, String protocol, Duration ttl, Duration deregisterAfter,
                       String host, String version, String tableFingerprint) {
    static final String ID_PREFIX = "sluice-";
    static final String CHECK_SUFFIX = "-dataplane";

    static VipRegistration of(VipConfig vip, ConsulRegistration registration, Duration ttl, Duration deregisterAfter,
                              String host, String version) {
        String id = ID_PREFIX + vip.name();
        return new VipRegistration(vip.name(), id, id + CHECK_SUFFIX, registration, AddressText.of(vip.address()),
                vip.port(), vip.protocol().name().toLowerCase(Locale.ROOT), ttl, deregisterAfter, host, version, null);
    }

    /** The same registration with this fingerprint in its meta. */
    VipRegistration withFingerprint(String fingerprint) {
        return new VipRegistration(vip, serviceId, checkId, registration, address, port, protocol, ttl,
                deregisterAfter, host, version, fingerprint);
    }

    /** Registered with its check critical until the first TTL update says otherwise. */
    ObjectNode body() {
        return body(false);
    }

    /**
     * @param passing the check's status at registration: a re-registration (a new fingerprint) keeps
     *                the verdict in force instead of flapping the check critical until the TTL update
     */
    ObjectNode body(boolean passing) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode body = f.objectNode();
        body.put("ID", serviceId).put("Name", registration.service()).put("Address", address).put("Port", port);
        registration.tags().forEach(body.putArray("Tags")::add);
        ObjectNode meta = body.putObject("Meta").put(RegistrationMeta.HOST, host)
                .put(RegistrationMeta.VERSION, version).put(RegistrationMeta.VIP, vip)
                .put(RegistrationMeta.PROTOCOL, protocol);
        if (tableFingerprint != null) {
            meta.put(RegistrationMeta.TABLE_FINGERPRINT, tableFingerprint);
        }
        body.putObject("Check").put("CheckID", checkId)
                .put("Name", "sluice data plane for VIP " + vip)
                .put("Notes", "passing while sluiced has the XDP program attached and the VIP has a healthy backend")
                .put("TTL", goDuration(ttl))
                .put("DeregisterCriticalServiceAfter", goDuration(deregisterAfter))
                .put("Status", passing ? "passing" : "critical");
        return body;
    }

    /** Consul reads Go durations. */
    static String goDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
