package io.sluice.lb.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.config.IpLiteral;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the agent's answer to {@code /v1/health/service/<name>} into backends, checking every
 * entry as untrusted input: an entry that is malformed (wrong types, missing fields, a name
 * instead of an IP address, a bad port, a duplicate) is rejected on its own with a reason, and
 * the others still apply. Only an answer that is not a JSON list at all is refused whole.
 *
 * <p>Which instances become backends:
 * <ul>
 *   <li>every check passing: in service;</li>
 *   <li>the node or the service in maintenance mode ({@code _node_maintenance} or
 *       {@code _service_maintenance:<id>} critical): drained (no new flows, established flows
 *       stay), whatever its other checks say;</li>
 *   <li>otherwise (a warning or critical check): not a backend.</li>
 * </ul>
 */
public final class HealthEntries {
    static final String NODE_MAINTENANCE = "_node_maintenance";
    static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";
    private static final int MAX_ID_LENGTH = 256;
    private static final int MAX_NESTING = 16;
    private static final int MAX_PORT = 65_535;

    /** The backends to apply, the entries refused (each with why), and how many instances are not passing. */
    public record Result(List<BackendConfig> backends, List<Rejection> rejections, int failing) {
        public Result {
            backends = List.copyOf(backends);
            rejections = List.copyOf(rejections);
        }
    }

    /** An entry refused: its position in the answer, its node/ID when readable, and why. */
    public record Rejection(int entry, String instance, String reason) {
    }

    /** The whole answer is unusable (not JSON, not a list): nothing of it applies. */
    public static final class MalformedAnswer extends Exception {
        MalformedAnswer(String message) {
            super(message);
        }
    }

    private record Candidate(int entry, String node, String id, InetAddress address, boolean drain) {
        String instance() {
            return node + "/" + id;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                .build());
    }

    private HealthEntries() {
    }

    /**
     * @param allowV4 an IPv4 backend can be encapsulated (encap.source_v4 is set)
     * @param allowV6 an IPv6 backend can be encapsulated (encap.source_v6 is set)
     */
    public static Result parse(byte[] body, ConsulDiscovery discovery, boolean allowV4, boolean allowV6)
            throws MalformedAnswer {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedAnswer("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedAnswer("unreadable: " + e.getMessage());
        }
        if (root == null || !root.isArray()) {
            throw new MalformedAnswer("expected a JSON list of service entries");
        }
        List<Rejection> rejections = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        int failing = 0;
        for (int i = 0; i < root.size(); i++) {
            try {
                Candidate c = entry(i, root.get(i), discovery, allowV4, allowV6);
                if (c != null) {
                    candidates.add(c);
                } else {
                    failing++;
                }
            } catch (IllegalArgumentException e) {
                rejections.add(new Rejection(i, instanceName(root.get(i)), e.getMessage()));
            }
        }
        // Consul's order is not a contract: decide duplicates and overflow in a stable order.
        candidates.sort(Comparator.comparing(Candidate::node).thenComparing(Candidate::id));
        Set<String> ids = new HashSet<>();
        Map<InetAddress, Candidate> byAddress = new HashMap<>();
        List<Candidate> accepted = new ArrayList<>();
        for (Candidate c : candidates) {
            if (!ids.add(c.node() + "\0" + c.id())) {
                rejections.add(new Rejection(c.entry(), c.instance(), "duplicate instance"));
                continue;
            }
            Candidate earlier = byAddress.putIfAbsent(c.address(), c);
            if (earlier != null) {
                rejections.add(new Rejection(c.entry(), c.instance(), "duplicate address "
                        + c.address().getHostAddress() + " (also " + earlier.instance() + ")"));
                continue;
            }
            accepted.add(c);
        }
        accepted.sort(Comparator.comparing((Candidate c) -> c.address().getHostAddress()));
        List<BackendConfig> backends = new ArrayList<>();
        for (Candidate c : accepted) {
            if (backends.size() >= discovery.maxBackends()) {
                rejections.add(new Rejection(c.entry(), c.instance(), "over max_backends "
                        + discovery.maxBackends()));
                continue;
            }
            backends.add(new BackendConfig(c.address(), discovery.weight(), discovery.healthCheck(), c.drain()));
        }
        rejections.sort(Comparator.comparingInt(Rejection::entry));
        return new Result(backends, rejections, failing);
    }

    /** A backend candidate, null when the instance is simply not passing, or IllegalArgumentException. */
    private static Candidate entry(int index, JsonNode entry, ConsulDiscovery discovery, boolean allowV4,
                                   boolean allowV6) {
        if (entry == null || !entry.isObject()) {
            throw new IllegalArgumentException("entry is not an object");
        }
        JsonNode node = object(entry, "Node");
        JsonNode service = object(entry, "Service");
        String nodeName = text(node, "Node", "Node.Node");
        String id = text(service, "ID", "Service.ID");
        String name = text(service, "Service", "Service.Service");
        if (!name.equalsIgnoreCase(discovery.service())) { // Consul matches service names case-insensitively
            throw new IllegalArgumentException("Service.Service is \"" + clip(name) + "\", not the service asked for");
        }
        JsonNode port = service.get("Port");
        if (port == null || !port.isIntegralNumber() || !port.canConvertToInt() || port.intValue() < 0
                || port.intValue() > MAX_PORT) {
            throw new IllegalArgumentException("Service.Port is not a port number");
        }
        if (discovery.tag().isPresent() && !hasTag(service, discovery.tag().get())) {
            throw new IllegalArgumentException("instance lacks the tag \"" + discovery.tag().get() + "\"");
        }
        JsonNode serviceAddress = service.get("Address");
        if (serviceAddress != null && !serviceAddress.isNull() && !serviceAddress.isTextual()) {
            throw new IllegalArgumentException("Service.Address is not a string");
        }
        String addressText = serviceAddress == null || serviceAddress.isNull() || serviceAddress.asText().isEmpty()
                ? text(node, "Address", "Node.Address") : serviceAddress.asText();
        InetAddress address = backendAddress(addressText);
        boolean v4 = address instanceof Inet4Address;
        if (v4 && !allowV4) {
            throw new IllegalArgumentException("IPv4 backend " + addressText + " but encap.source_v4 is not set");
        }
        if (!v4 && !allowV6) {
            throw new IllegalArgumentException("IPv6 backend " + addressText + " but encap.source_v6 is not set");
        }
        JsonNode checks = entry.get("Checks");
        if (checks == null || !checks.isArray()) {
            throw new IllegalArgumentException("Checks is not a list");
        }
        boolean allPassing = true;
        boolean maintenance = false;
        for (int c = 0; c < checks.size(); c++) {
            JsonNode check = checks.get(c);
            if (check == null || !check.isObject()) {
                throw new IllegalArgumentException("Checks[" + c + "] is not an object");
            }
            String checkId = text(check, "CheckID", "Checks[" + c + "].CheckID");
            String status = text(check, "Status", "Checks[" + c + "].Status");
            switch (status) {
                case "passing" -> { }
                case "warning", "critical", "maintenance" -> allPassing = false;
                default -> throw new IllegalArgumentException("Checks[" + c + "].Status \"" + clip(status)
                        + "\" is not passing, warning or critical");
            }
            if (!status.equals("passing") && (checkId.equals(NODE_MAINTENANCE)
                    || checkId.equals(SERVICE_MAINTENANCE_PREFIX + id))) {
                maintenance = true;
            }
        }
        if (maintenance) {
            return new Candidate(index, nodeName, id, address, true);
        }
        return allPassing ? new Candidate(index, nodeName, id, address, false) : null;
    }

    private static InetAddress backendAddress(String text) {
        InetAddress address;
        try {
            address = IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address \"" + clip(text)
                    + "\" is not an IP address literal (sluiced does not resolve names)");
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || address.isLoopbackAddress()
                || address.isLinkLocalAddress()) {
            throw new IllegalArgumentException("address " + address.getHostAddress()
                    + " is not a routable unicast address");
        }
        return address;
    }

    private static boolean hasTag(JsonNode service, String tag) {
        JsonNode tags = service.get("Tags");
        if (tags == null || tags.isNull()) {
            return false;
        }
        if (!tags.isArray()) {
            throw new IllegalArgumentException("Service.Tags is not a list");
        }
        for (JsonNode t : tags) {
            if (t.isTextual() && t.asText().equals(tag)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode object(JsonNode parent, String key) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(key + " is not an object");
        }
        return n;
    }

    private static String text(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new IllegalArgumentException(path + " is not a non-empty string");
        }
        if (n.asText().length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(path + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        return n.asText();
    }

    /** node/ID for the log when the entry has them as strings, else "?". */
    private static String instanceName(JsonNode entry) {
        if (entry == null || !entry.isObject()) {
            return "?";
        }
        JsonNode node = entry.path("Node").path("Node");
        JsonNode id = entry.path("Service").path("ID");
        return (node.isTextual() ? clip(node.asText()) : "?") + "/" + (id.isTextual() ? clip(id.asText()) : "?");
    }

    /** Hostile strings go into logs: keep them short and free of quotes and control characters. */
    static String clip(String text) {
        String s = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return s.replaceAll("[\\p{Cntrl}\"\\\\]", "?");
    }
}
