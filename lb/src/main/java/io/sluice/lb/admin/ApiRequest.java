package io.sluice.lb.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One admin request, already read whole (the server bounds the body size).
 *
 * @param params the path template's {name} parts, decoded
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, String> params,
                         byte[] body) {
    /** The field name of errors about the request body as a whole. */
    public static final String BODY = "(body)";

    public ApiRequest {
        query = Map.copyOf(query);
        params = Map.copyOf(params);
        body = body.clone();
    }

    public String param(String name) {
        return params.get(name);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as a JSON object; 400 when it is empty, not JSON, or not an object. */
    public ObjectNode jsonObject() throws ApiException {
        JsonNode node;
        try {
            node = AdminJson.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badField(BODY, "not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badField(BODY, "unreadable: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badField(BODY, "a JSON object is required");
        }
        if (!node.isObject()) {
            throw ApiException.badField(BODY, "must be a JSON object, got " + node.getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
        return (ObjectNode) node;
    }
}
