package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The agent the Consul tests talk to: the in-process double, or a real agent when
 * SLUICE_CONSUL_ADDR is set (with SLUICE_CONSUL_TOKEN if its ACLs need one). Test fixtures
 * (backend instances, maintenance mode) are set up through the agent's own HTTP API, so the same
 * steps work on both; assertions only the double can answer go through {@link #agentDouble()}.
 */
final class ConsulTarget implements AutoCloseable {
    static final String ENV_ADDRESS = "SLUICE_CONSUL_ADDR";
    static final String ENV_TOKEN = "SLUICE_CONSUL_TOKEN";

    private final ConsulAgentDouble agentDouble;
    private final URI address;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private ConsulTarget(ConsulAgentDouble agentDouble, URI address, Optional<String> token) {
        this.agentDouble = agentDouble;
        this.address = address;
        this.token = token;
    }

    static ConsulTarget open() throws IOException {
        String real = System.getenv(ENV_ADDRESS);
        if (real != null && !real.isBlank()) {
            return new ConsulTarget(null, URI.create(real.contains("://") ? real : "http://" + real),
                    Optional.ofNullable(System.getenv(ENV_TOKEN)).filter(t -> !t.isBlank()));
        }
        ConsulAgentDouble d = new ConsulAgentDouble();
        return new ConsulTarget(d, d.address(), Optional.empty());
    }

    boolean isDouble() {
        return agentDouble != null;
    }

    ConsulAgentDouble agentDouble() {
        if (agentDouble == null) {
            throw new IllegalStateException("only the double can answer this");
        }
        return agentDouble;
    }

    URI address() {
        return address;
    }

    Optional<String> token() {
        return token;
    }

    /** A backend instance of a service, with a TTL check set passing. */
    void registerInstance(String id, String service, String ip, int port, List<String> tags) throws IOException {
        ObjectNode body = json.createObjectNode().put("ID", id).put("Name", service).put("Address", ip)
                .put("Port", port);
        tags.forEach(body.putArray("Tags")::add);
        body.putObject("Check").put("CheckID", id + "-ttl").put("TTL", "10m").put("Status", "passing");
        put("/v1/agent/service/register", body.toString());
    }

    void setInstanceCheck(String id, String status) throws IOException {
        put("/v1/agent/check/update/" + id + "-ttl", json.createObjectNode().put("Status", status).toString());
    }

    void serviceMaintenance(String id, boolean enable) throws IOException {
        put("/v1/agent/service/maintenance/" + id + "?enable=" + enable + "&reason=test", "");
    }

    void deregister(String id) throws IOException {
        put("/v1/agent/service/deregister/" + id, "");
    }

    /** PUT /v1/kv/:key with the value's bytes as they are. */
    void kvPut(String key, byte[] value) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(address.resolve("/v1/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)));
        if (r.statusCode() != 200 || !r.body().strip().equals("true")) {
            throw new IOException("kv put " + key + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    void kvPut(String key, String value) throws IOException {
        kvPut(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** DELETE /v1/kv/:key, with ?recurse: every key under the prefix. */
    void kvDelete(String key, boolean recurse) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(address.resolve("/v1/kv/" + key
                + (recurse ? "?recurse" : ""))).DELETE());
        if (r.statusCode() != 200) {
            throw new IOException("kv delete " + key + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** GET /v1/kv/:key?raw: the value, or null when the key does not exist. */
    byte[] kvRaw(String key) throws IOException {
        try {
            HttpResponse<byte[]> r = http.send(withToken(HttpRequest.newBuilder(address.resolve("/v1/kv/" + key
                    + "?raw")).GET()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 404 ? null : r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private HttpRequest.Builder withToken(HttpRequest.Builder b) {
        token.ifPresent(t -> b.header("X-Consul-Token", t));
        return b;
    }

    /** GET /v1/agent/services: every service instance on this agent, by ID. */
    JsonNode services() throws IOException {
        return get("/v1/agent/services");
    }

    /** GET /v1/agent/checks: every check on this agent, by ID. */
    JsonNode checks() throws IOException {
        return get("/v1/agent/checks");
    }

    private JsonNode get(String path) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(address.resolve(path)).GET());
        return json.readTree(r.body());
    }

    private void put(String path, String body) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(address.resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
        if (r.statusCode() != 200) {
            throw new IOException(path + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException {
        token.ifPresent(t -> b.header("X-Consul-Token", t));
        try {
            return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        if (agentDouble != null) {
            agentDouble.close();
        }
    }
}
