package io.sluice.lb.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The few calls of Consul's agent HTTP API that sluiced makes, over the JDK's HttpClient (see
 * docs/consul.md for why not a client library). Every answer body is read with a size cap, so a
 * hostile or broken agent cannot make the daemon buffer without bound. Thread-safe.
 */
public final class ConsulClient {
    static final String TOKEN_HEADER = "X-Consul-Token";
    static final String INDEX_HEADER = "X-Consul-Index";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Writes (register, TTL updates) answer at once; a slow one is a failure. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Consul adds up to wait/16 of jitter to a blocking query; give it that and a margin. */
    private static final int WAIT_JITTER_DIVISOR = 16;
    private static final Duration BLOCKING_MARGIN = Duration.ofSeconds(10);
    private static final int ERROR_TEXT_LIMIT = 200;
    private static final int HTTP_NOT_FOUND = 404;

    private final URI base;
    private final Optional<String> token;
    private final int maxResponseBytes;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public ConsulClient(URI base, Optional<String> token, int maxResponseBytes) {
        this.base = Objects.requireNonNull(base, "base");
        this.token = Objects.requireNonNull(token, "token");
        this.maxResponseBytes = maxResponseBytes;
        // HTTP/1.1: the agent speaks it everywhere; no h2c upgrade dance on plain http.
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI base() {
        return base;
    }

    /** PUT /v1/agent/service/register (replacing the instance's checks, so a changed TTL takes effect). */
    public void register(ObjectNode registration) throws ConsulException {
        send(put("/v1/agent/service/register?replace-existing-checks=true", registration), "register");
    }

    /** PUT /v1/agent/service/deregister/:id */
    public void deregister(String serviceId) throws ConsulException {
        send(put("/v1/agent/service/deregister/" + path(serviceId), null), "deregister");
    }

    /** PUT /v1/agent/check/update/:id with the status (passing, warning, critical) and the note shown in Consul. */
    public void updateTtl(String checkId, String status, String output) throws ConsulException {
        ObjectNode body = json.createObjectNode().put("Status", status).put("Output", output);
        send(put("/v1/agent/check/update/" + path(checkId), body), "ttl_update");
    }

    /**
     * GET /v1/health/service/:name, every instance with its checks (not only passing ones: an
     * instance in maintenance must be seen to be drained). A blocking query when index > 0: the
     * agent answers when the index moves past it or after wait.
     */
    public HealthAnswer healthService(String service, Optional<String> tag, long index, Duration wait)
            throws ConsulException {
        StringBuilder uri = new StringBuilder("/v1/health/service/").append(path(service)).append("?");
        tag.ifPresent(t -> uri.append("tag=").append(query(t)).append("&"));
        Duration timeout = WRITE_TIMEOUT;
        if (index > 0) {
            uri.append("index=").append(index).append("&wait=").append(wait.toMillis()).append("ms");
            timeout = wait.plus(wait.dividedBy(WAIT_JITTER_DIVISOR)).plus(BLOCKING_MARGIN);
        }
        HttpRequest request = request(uri.toString()).timeout(timeout).GET().build();
        HttpResponse<InputStream> response = exchange(request, "health");
        byte[] body = readCapped(response, "health");
        check(response, body, "health");
        long answerIndex = response.headers().firstValue(INDEX_HEADER).map(ConsulClient::indexValue).orElse(-1L);
        return new HealthAnswer(answerIndex, body);
    }

    /**
     * GET /v1/kv/:key (the JSON form: the entry's ModifyIndex comes with its value). A blocking query
     * when index > 0. A missing key is an answer (404 with an index), not a failure; an answer larger
     * than maxBytes is an answer too, marked too large and not read further.
     */
    public KvAnswer kvGet(String key, long index, Duration wait, int maxBytes) throws ConsulException {
        StringBuilder uri = new StringBuilder("/v1/kv/").append(keyPath(key));
        Duration timeout = WRITE_TIMEOUT;
        if (index > 0) {
            uri.append("?index=").append(index).append("&wait=").append(wait.toMillis()).append("ms");
            timeout = wait.plus(wait.dividedBy(WAIT_JITTER_DIVISOR)).plus(BLOCKING_MARGIN);
        }
        HttpRequest request = request(uri.toString()).timeout(timeout).GET().build();
        HttpResponse<InputStream> response = exchange(request, "kv");
        long answerIndex = response.headers().firstValue(INDEX_HEADER).map(ConsulClient::indexValue).orElse(-1L);
        try (InputStream in = response.body()) {
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            byte[] body = declared > maxBytes ? null : in.readNBytes(maxBytes + 1);
            if (body == null || body.length > maxBytes) {
                if (response.statusCode() / 100 != 2) {
                    throw new ConsulException("kv: HTTP " + response.statusCode() + " (answer too large to show)",
                            response.statusCode());
                }
                return KvAnswer.tooLarge(answerIndex);
            }
            if (response.statusCode() == HTTP_NOT_FOUND) {
                return KvAnswer.missing(answerIndex);
            }
            check(response, body, "kv");
            return KvAnswer.found(answerIndex, body);
        } catch (IOException e) {
            throw new ConsulException("kv: reading the answer: " + describe(e), e);
        }
    }

    private HttpRequest put(String pathAndQuery, ObjectNode body) {
        byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        return request(pathAndQuery).timeout(WRITE_TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery));
        token.ifPresent(t -> b.header(TOKEN_HEADER, t));
        return b;
    }

    private void send(HttpRequest request, String op) throws ConsulException {
        HttpResponse<InputStream> response = exchange(request, op);
        check(response, readCapped(response, op), op);
    }

    private HttpResponse<InputStream> exchange(HttpRequest request, String op) throws ConsulException {
        try {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // A pooled keep-alive connection the agent closed while idle fails at once: every call
                // we make is idempotent, so try once more on a fresh connection.
                return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            }
        } catch (IOException e) {
            throw new ConsulException(op + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsulException(op + ": interrupted", e);
        }
    }

    private static void check(HttpResponse<?> response, byte[] body, String op) throws ConsulException {
        if (response.statusCode() / 100 != 2) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            if (text.length() > ERROR_TEXT_LIMIT) {
                text = text.substring(0, ERROR_TEXT_LIMIT) + "...";
            }
            throw new ConsulException(op + ": HTTP " + response.statusCode() + " " + text.replace('"', '\''),
                    response.statusCode());
        }
    }

    /** The body, refused whole beyond the cap (declared by Content-Length or found while reading). */
    private byte[] readCapped(HttpResponse<InputStream> response, String op) throws ConsulException {
        try (InputStream in = response.body()) {
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxResponseBytes) {
                throw new ConsulException(op + ": answer of " + declared + " bytes exceeds max_response_bytes "
                        + maxResponseBytes, 0);
            }
            byte[] body = in.readNBytes(maxResponseBytes + 1);
            if (body.length > maxResponseBytes) {
                throw new ConsulException(op + ": answer exceeds max_response_bytes " + maxResponseBytes, 0);
            }
            return body;
        } catch (IOException e) {
            throw new ConsulException(op + ": reading the answer: " + describe(e), e);
        }
    }

    private static long indexValue(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m.replace('"', '\''));
    }

    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A KV key as a URL path: each segment escaped, the slashes kept. */
    private static String keyPath(String key) {
        StringBuilder out = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(path(segment));
        }
        return out.toString();
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
