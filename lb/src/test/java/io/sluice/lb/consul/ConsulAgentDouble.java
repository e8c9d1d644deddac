package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process double of the Consul agent's HTTP API, following Consul's documented endpoints:
 * service register/deregister, TTL check updates (pass/warn/fail and update), service and node
 * maintenance, agent services/checks listings, and GET /v1/health/service/:name with blocking
 * queries (index + wait, X-Consul-Index). One node ("double-node", 127.0.0.1). TTL checks expire
 * to critical like Consul's. An ACL token can be required (X-Consul-Token).
 *
 * <p>The KV store ({@code /v1/kv/:key}) as Consul documents it: GET answers a JSON list of entries
 * (Key, Flags, base64 Value or null, CreateIndex, ModifyIndex, LockIndex), 404 when nothing
 * matches; {@code ?recurse} matches every key under the prefix, {@code ?raw} answers the bare value,
 * {@code ?keys} the key names; {@code index} + {@code wait} block until the answer's index moves.
 * X-Consul-Index is the entry's ModifyIndex for one key, the highest ModifyIndex (or delete) under
 * the prefix for {@code recurse}, and the store's latest index when nothing matches (never 0).
 * PUT stores the body ({@code ?flags}, {@code ?cas} check-and-set) and answers true/false; DELETE
 * ({@code ?recurse}, {@code ?cas}) likewise. Every write moves the shared Raft-like index.
 *
 * <p>Test-only knobs (a real agent has none): stop and start again on the same port (an outage),
 * replace a service's health answer with raw bytes (hostile data), move the index backwards.
 */
final class ConsulAgentDouble implements AutoCloseable {
    static final String NODE = "double-node";
    static final String NODE_ADDRESS = "127.0.0.1";
    private static final Pattern PATH_ID = Pattern.compile("/v1/agent/(service/deregister|service/maintenance|"
            + "check/pass|check/warn|check/fail|check/update)/(.+)");

    /** One request as seen: for assertions on what sluiced sent. */
    record Request(String method, String path, String query, Optional<String> token) {
    }

    private record KvEntry(String key, byte[] value, long flags, long createIndex, long modifyIndex) {
    }

    private static final class Check {
        final String id;
        final String name;
        final String serviceId;
        String status;
        String output = "";
        final Duration ttl;
        long deadline;

        Check(String id, String name, String serviceId, String status, Duration ttl) {
            this.id = id;
            this.name = name;
            this.serviceId = serviceId;
            this.status = status;
            this.ttl = ttl;
            touch();
        }

        void touch() {
            deadline = ttl == null ? Long.MAX_VALUE : System.nanoTime() + ttl.toNanos();
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Object lock = new Object();
    private final Map<String, ObjectNode> services = new LinkedHashMap<>();
    private final Map<String, Check> checks = new LinkedHashMap<>();
    private final Map<String, byte[]> rawHealth = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final java.util.TreeMap<String, KvEntry> kv = new java.util.TreeMap<>();
    /** Deleted keys and the index of their delete, so a watch on a prefix sees the delete (Consul's tombstones). */
    private final Map<String, Long> tombstones = new HashMap<>();
    private final Map<String, byte[]> rawKv = new HashMap<>();
    /** The index of the store's last write (Consul's kvs table index). */
    private long kvIndex = 1;
    /** The initial Status of every check a registration carried, in order: "checkId=status". */
    private final List<String> registeredChecks = new ArrayList<>();
    private long index = 10;
    private int port;
    private volatile String requiredToken;
    private HttpServer server;
    private ExecutorService executor;

    ConsulAgentDouble() throws IOException {
        start(0);
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void requireToken(String token) {
        requiredToken = token;
    }

    /** Stops answering: connections are refused until {@link #restart}. State is kept. */
    void stop() {
        stopped = true;
        server.stop(0);
        executor.shutdownNow();
    }

    /** Answers again on the same port after {@link #stop}; nothing to do while it runs. */
    void restart() throws IOException {
        if (!stopped) {
            return;
        }
        start(port);
    }

    /** Makes GET /v1/health/service/:name answer these bytes (and bumps the index). */
    void rawHealthAnswer(String service, String body) {
        synchronized (lock) {
            rawHealth.put(service, body.getBytes(StandardCharsets.UTF_8));
            bump();
        }
    }

    void rawHealthAnswer(String service, byte[] body) {
        synchronized (lock) {
            rawHealth.put(service, body);
            bump();
        }
    }

    /**
     * The Raft index goes back (as after a snapshot restore of an older snapshot); waiting queries
     * wake. KV entries keep their values, with indexes no higher than the new one.
     */
    void resetIndex(long to) {
        synchronized (lock) {
            index = to;
            kvIndex = Math.min(kvIndex, to);
            kv.replaceAll((k, e) -> new KvEntry(k, e.value(), e.flags(), Math.min(e.createIndex(), to),
                    Math.min(e.modifyIndex(), to)));
            tombstones.replaceAll((k, i) -> Math.min(i, to));
            lock.notifyAll();
        }
    }

    /** Makes GET /v1/kv/:key answer these bytes (200, and bumps the index): hostile data; null = stop. */
    void rawKvAnswer(String key, String body) {
        synchronized (lock) {
            if (body == null) {
                rawKv.remove(key);
            } else {
                rawKv.put(key, body.getBytes(StandardCharsets.UTF_8));
            }
            kvIndex = bump();
        }
    }

    long index() {
        synchronized (lock) {
            return index;
        }
    }

    List<Request> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** The initial status of each registration's check, in order, as "checkId=status". */
    List<String> registeredChecks() {
        synchronized (lock) {
            return List.copyOf(registeredChecks);
        }
    }

    /** Blocking health queries now being held open (index given, not yet answered). */
    private int waiting;

    int waitingQueries() {
        synchronized (lock) {
            return waiting;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private volatile boolean stopped;

    private void start(int bindPort) throws IOException {
        stopped = false;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), 0);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "consul-double");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            Optional<String> token = Optional.ofNullable(ex.getRequestHeaders().getFirst("X-Consul-Token"));
            synchronized (lock) {
                requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), token));
            }
            if (requiredToken != null && !token.equals(Optional.of(requiredToken))) {
                reply(ex, 403, "ACL not found");
                return;
            }
            String method = ex.getRequestMethod();
            byte[] body = ex.getRequestBody().readAllBytes();
            if (method.equals("GET") && path.startsWith("/v1/health/service/")) {
                health(ex, URLDecoder.decode(path.substring("/v1/health/service/".length()), StandardCharsets.UTF_8),
                        query);
                return;
            }
            if (path.startsWith("/v1/kv/")) {
                kv(ex, method, URLDecoder.decode(path.substring("/v1/kv/".length()), StandardCharsets.UTF_8), query,
                        body);
                return;
            }
            if (method.equals("GET") && path.equals("/v1/agent/services")) {
                synchronized (lock) {
                    ObjectNode out = json.createObjectNode();
                    services.forEach(out::set);
                    replyJson(ex, out);
                }
                return;
            }
            if (method.equals("GET") && path.equals("/v1/agent/checks")) {
                synchronized (lock) {
                    expireTtls();
                    ObjectNode out = json.createObjectNode();
                    checks.values().forEach(c -> out.set(c.id, checkJson(c)));
                    replyJson(ex, out);
                }
                return;
            }
            if (!method.equals("PUT")) {
                reply(ex, 405, "method not allowed");
                return;
            }
            if (path.equals("/v1/agent/service/register")) {
                register(ex, body);
                return;
            }
            if (path.equals("/v1/agent/maintenance")) {
                maintenance("_node_maintenance", "", "Node Maintenance Mode", query);
                reply(ex, 200, "");
                return;
            }
            Matcher m = PATH_ID.matcher(path);
            if (!m.matches()) {
                reply(ex, 404, "unknown endpoint");
                return;
            }
            String id = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            synchronized (lock) {
                switch (m.group(1)) {
                    case "service/deregister" -> {
                        if (services.remove(id) == null) {
                            reply(ex, 404, "Unknown service ID \"" + id + "\"");
                            return;
                        }
                        checks.values().removeIf(c -> id.equals(c.serviceId));
                        bump();
                    }
                    case "service/maintenance" -> {
                        if (!services.containsKey(id)) {
                            reply(ex, 404, "Unknown service ID \"" + id + "\"");
                            return;
                        }
                        maintenance("_service_maintenance:" + id, id, "Service Maintenance Mode", query);
                    }
                    case "check/update" -> {
                        JsonNode update = json.readTree(body);
                        if (!ttlUpdate(ex, id, update.path("Status").asText(), update.path("Output").asText())) {
                            return;
                        }
                    }
                    default -> {
                        String status = switch (m.group(1)) {
                            case "check/pass" -> "passing";
                            case "check/warn" -> "warning";
                            default -> "critical";
                        };
                        if (!ttlUpdate(ex, id, status, query.getOrDefault("note", ""))) {
                            return;
                        }
                    }
                }
            }
            reply(ex, 200, "");
        } catch (RuntimeException e) {
            reply(ex, 500, e.toString());
        }
    }

    private boolean ttlUpdate(HttpExchange ex, String id, String status, String output) throws IOException {
        Check c = checks.get(id);
        if (c == null || c.ttl == null) {
            reply(ex, 404, "CheckID \"" + id + "\" does not have associated TTL");
            return false;
        }
        if (!List.of("passing", "warning", "critical").contains(status)) {
            reply(ex, 400, "Invalid check status: \"" + status + "\"");
            return false;
        }
        if (!status.equals(c.status) || !output.equals(c.output)) {
            bump();
        }
        c.status = status;
        c.output = output;
        c.touch();
        return true;
    }

    private void register(HttpExchange ex, byte[] body) throws IOException {
        JsonNode reg = json.readTree(body);
        String name = reg.path("Name").asText("");
        if (name.isEmpty()) {
            reply(ex, 400, "Missing service name");
            return;
        }
        String id = reg.path("ID").asText(name);
        ObjectNode service = json.createObjectNode();
        service.put("ID", id).put("Service", name);
        service.set("Tags", reg.has("Tags") ? reg.get("Tags") : json.createArrayNode());
        service.set("Meta", reg.has("Meta") ? reg.get("Meta") : json.createObjectNode());
        service.put("Address", reg.path("Address").asText("")).put("Port", reg.path("Port").asInt(0));
        synchronized (lock) {
            services.put(id, service);
            checks.values().removeIf(c -> id.equals(c.serviceId) && !c.id.startsWith("_"));
            JsonNode check = reg.get("Check");
            if (check != null && check.has("TTL")) {
                String checkId = check.path("CheckID").asText("service:" + id);
                registeredChecks.add(checkId + "=" + check.path("Status").asText("critical"));
                checks.put(checkId, new Check(checkId, check.path("Name").asText("Service '" + name + "' check"),
                        id, check.path("Status").asText("critical"), goDuration(check.get("TTL").asText())));
            }
            bump();
        }
        reply(ex, 200, "");
    }

    private void maintenance(String checkId, String serviceId, String name, Map<String, String> query) {
        synchronized (lock) {
            if ("true".equals(query.get("enable"))) {
                Check c = new Check(checkId, name, serviceId, "critical", null);
                c.output = query.getOrDefault("reason", "");
                checks.put(checkId, c);
            } else {
                checks.remove(checkId);
            }
            bump();
        }
    }

    private void health(HttpExchange ex, String service, Map<String, String> query) throws IOException {
        long wanted = Long.parseLong(query.getOrDefault("index", "0"));
        Duration wait = query.containsKey("wait") ? goDuration(query.get("wait")) : Duration.ofMinutes(5);
        byte[] answer;
        long answerIndex;
        synchronized (lock) {
            long deadline = System.nanoTime() + wait.toNanos();
            waiting++;
            try {
                while (wanted > 0 && index == wanted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            } finally {
                waiting--;
            }
            expireTtls();
            answerIndex = index;
            answer = rawHealth.containsKey(service) ? rawHealth.get(service) : healthJson(service, query);
        }
        ex.getResponseHeaders().add("X-Consul-Index", Long.toString(answerIndex));
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(answer);
        }
    }

    private byte[] healthJson(String service, Map<String, String> query) {
        ArrayNode out = json.createArrayNode();
        String tag = query.get("tag");
        boolean passingOnly = query.containsKey("passing");
        for (ObjectNode s : services.values()) {
            if (!s.path("Service").asText().equals(service)) {
                continue;
            }
            if (tag != null && !containsText(s.get("Tags"), tag)) {
                continue;
            }
            String id = s.path("ID").asText();
            ArrayNode entryChecks = json.createArrayNode();
            entryChecks.add(json.createObjectNode().put("Node", NODE).put("CheckID", "serfHealth")
                    .put("Name", "Serf Health Status").put("Status", "passing").put("ServiceID", "")
                    .put("ServiceName", ""));
            boolean allPassing = true;
            for (Check c : checks.values()) {
                if (c.serviceId.isEmpty() || c.serviceId.equals(id)) {
                    entryChecks.add(checkJson(c));
                    allPassing &= c.status.equals("passing");
                }
            }
            if (passingOnly && !allPassing) {
                continue;
            }
            ObjectNode entry = out.addObject();
            entry.putObject("Node").put("ID", "00000000-0000-0000-0000-000000000001").put("Node", NODE)
                    .put("Address", NODE_ADDRESS).put("Datacenter", "dc1");
            entry.set("Service", s.deepCopy());
            entry.set("Checks", entryChecks);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode checkJson(Check c) {
        String serviceName = c.serviceId.isEmpty() || !services.containsKey(c.serviceId) ? ""
                : services.get(c.serviceId).path("Service").asText();
        return json.createObjectNode().put("Node", NODE).put("CheckID", c.id).put("Name", c.name)
                .put("Status", c.status).put("Output", c.output).put("ServiceID", c.serviceId)
                .put("ServiceName", serviceName).put("Type", c.ttl == null ? "" : "ttl");
    }

    /** A TTL check not updated within its TTL turns critical, as in Consul. */
    private void expireTtls() {
        long now = System.nanoTime();
        for (Check c : checks.values()) {
            if (c.ttl != null && now - c.deadline > 0 && !c.status.equals("critical")) {
                c.status = "critical";
                c.output = "TTL expired";
                bump();
            }
        }
    }

    private long bump() {
        index++;
        lock.notifyAll();
        return index;
    }

    private void kv(HttpExchange ex, String method, String key, Map<String, String> query, byte[] body)
            throws IOException {
        switch (method) {
            case "GET" -> kvGet(ex, key, query);
            case "PUT" -> {
                boolean done;
                synchronized (lock) {
                    KvEntry old = kv.get(key);
                    done = casAllows(old, query);
                    if (done) {
                        long at = bump();
                        kvIndex = at;
                        long flags = Long.parseLong(query.getOrDefault("flags", old == null ? "0"
                                : Long.toString(old.flags())));
                        kv.put(key, new KvEntry(key, body, flags, old == null ? at : old.createIndex(), at));
                        tombstones.remove(key);
                    }
                }
                reply(ex, 200, Boolean.toString(done));
            }
            case "DELETE" -> {
                boolean done;
                synchronized (lock) {
                    List<String> keys = query.containsKey("recurse")
                            ? List.copyOf(kv.subMap(key, key + Character.MAX_VALUE).keySet())
                            : (kv.containsKey(key) ? List.of(key) : List.of());
                    done = query.containsKey("recurse") || casAllows(kv.get(key), query);
                    if (done && !keys.isEmpty()) {
                        long at = bump();
                        kvIndex = at;
                        keys.forEach(k -> {
                            kv.remove(k);
                            tombstones.put(k, at);
                        });
                    }
                }
                reply(ex, 200, Boolean.toString(done));
            }
            default -> reply(ex, 405, "method not allowed");
        }
    }

    /** ?cas=0: only if the key does not exist; ?cas=N: only if its ModifyIndex is N. */
    private static boolean casAllows(KvEntry old, Map<String, String> query) {
        if (!query.containsKey("cas")) {
            return true;
        }
        long cas = Long.parseLong(query.get("cas"));
        return cas == 0 ? old == null : old != null && old.modifyIndex() == cas;
    }

    private void kvGet(HttpExchange ex, String key, Map<String, String> query) throws IOException {
        long wanted = Long.parseLong(query.getOrDefault("index", "0"));
        Duration wait = query.containsKey("wait") ? goDuration(query.get("wait")) : Duration.ofMinutes(5);
        boolean prefix = query.containsKey("recurse") || query.containsKey("keys");
        List<KvEntry> matches;
        long answerIndex;
        byte[] raw;
        synchronized (lock) {
            long deadline = System.nanoTime() + wait.toNanos();
            waiting++;
            try {
                while (wanted > 0 && kvAnswerIndex(key, prefix) == wanted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            } finally {
                waiting--;
            }
            answerIndex = kvAnswerIndex(key, prefix);
            matches = prefix ? List.copyOf(kv.subMap(key, key + Character.MAX_VALUE).values())
                    : (kv.containsKey(key) ? List.of(kv.get(key)) : List.of());
            raw = rawKv.get(key);
        }
        ex.getResponseHeaders().add("X-Consul-Index", Long.toString(answerIndex));
        if (raw != null) {
            sendBytes(ex, 200, "application/json", raw);
            return;
        }
        if (matches.isEmpty()) {
            sendBytes(ex, 404, "text/plain", new byte[0]);
            return;
        }
        if (query.containsKey("raw") && !prefix) {
            sendBytes(ex, 200, "text/plain", matches.get(0).value());
            return;
        }
        ArrayNode out = json.createArrayNode();
        for (KvEntry e : matches) {
            if (query.containsKey("keys")) {
                out.add(e.key());
                continue;
            }
            ObjectNode o = out.addObject().put("LockIndex", 0).put("Key", e.key()).put("Flags", e.flags());
            if (e.value().length == 0) {
                o.putNull("Value");
            } else {
                o.put("Value", java.util.Base64.getEncoder().encodeToString(e.value()));
            }
            o.put("CreateIndex", e.createIndex()).put("ModifyIndex", e.modifyIndex());
        }
        sendBytes(ex, 200, "application/json", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Consul's X-Consul-Index for a KV read (see the class comment). */
    private long kvAnswerIndex(String key, boolean prefix) {
        if (rawKv.containsKey(key)) {
            return kvIndex;
        }
        long best = 0;
        if (prefix) {
            for (KvEntry e : kv.subMap(key, key + Character.MAX_VALUE).values()) {
                best = Math.max(best, e.modifyIndex());
            }
            for (Map.Entry<String, Long> t : tombstones.entrySet()) {
                if (t.getKey().startsWith(key)) {
                    best = Math.max(best, t.getValue());
                }
            }
        } else if (kv.containsKey(key)) {
            best = kv.get(key).modifyIndex();
        }
        return best > 0 ? best : Math.max(1, kvIndex);
    }

    private static void sendBytes(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static boolean containsText(JsonNode array, String text) {
        if (array == null || !array.isArray()) {
            return false;
        }
        for (JsonNode n : array) {
            if (n.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    static Duration goDuration(String text) {
        Matcher m = Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private void replyJson(HttpExchange ex, JsonNode node) throws IOException {
        byte[] bytes = node.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
