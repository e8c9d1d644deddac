package io.sluice.lb.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.lb.consul.ConsulClient;
import io.sluice.lb.consul.ConsulException;
import io.sluice.lb.consul.HealthAnswer;
import io.sluice.lb.consul.RegistrationMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every sluice registration of a Consul service, on every node: one GET /v1/health/service/:name
 * (all instances, passing or not, with their checks). Instances without the sluice_vip meta are
 * another program's and are left out.
 */
public final class FleetInstances {
    private static final String[] CHECK_SEVERITY = {"passing", "warning", "critical"};
    private final ObjectMapper json = new ObjectMapper();
    private final ConsulClient client;

    public FleetInstances(ConsulClient client) {
        this.client = client;
    }

    /**
     * @throws ConsulException       the agent could not be asked or answered an error
     * @throws IllegalStateException the answer is not the documented list of service entries (names what is wrong)
     */
    public List<FleetInstance> of(String service) throws ConsulException {
        HealthAnswer answer = client.healthService(service, Optional.empty(), 0, Duration.ZERO);
        JsonNode entries;
        try {
            entries = json.readTree(answer.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("service " + service + ": the agent's answer is not JSON: "
                    + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("service " + service + ": unreadable answer: " + e.getMessage());
        }
        if (entries == null || !entries.isArray()) {
            throw new IllegalStateException("service " + service + ": expected a JSON list of service entries");
        }
        List<FleetInstance> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            JsonNode s = entry.path("Service");
            JsonNode meta = s.path("Meta");
            if (!meta.path(RegistrationMeta.VIP).isTextual()) {
                continue; // not registered by sluiced
            }
            String node = text(entry.path("Node").path("Node"), service, i, "Node.Node");
            String host = meta.path(RegistrationMeta.HOST).isTextual() ? meta.path(RegistrationMeta.HOST).asText()
                    : node;
            JsonNode fp = meta.path(RegistrationMeta.TABLE_FINGERPRINT);
            out.add(new FleetInstance(service, meta.path(RegistrationMeta.VIP).asText(), host, node,
                    text(s.path("ID"), service, i, "Service.ID"), checkStatus(entry.path("Checks")),
                    fp.isTextual() && !fp.asText().isBlank() ? fp.asText() : null));
        }
        return out;
    }

    /** The worst status of the entry's checks (node and service), as Consul's own health filter sees it. */
    private static String checkStatus(JsonNode checks) {
        int worst = 0;
        for (JsonNode c : checks) {
            String status = c.path("Status").asText("");
            for (int i = 0; i < CHECK_SEVERITY.length; i++) {
                if (CHECK_SEVERITY[i].equals(status)) {
                    worst = Math.max(worst, i);
                }
            }
        }
        return CHECK_SEVERITY[worst];
    }

    private static String text(JsonNode node, String service, int index, String field) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalStateException("service " + service + ": entry " + index + " has no " + field);
        }
        return node.asText();
    }
}
