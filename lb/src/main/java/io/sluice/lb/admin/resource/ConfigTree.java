package io.sluice.lb.admin.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.ApiException;
import io.sluice.lb.config.IpLiteral;
import java.net.InetAddress;

/** Finds VIPs and backends in the config file's YAML tree, the way the config reader names them. */
final class ConfigTree {
    private ConfigTree() {
    }

    /** The `vips` list, created when the file has none. */
    static ArrayNode vips(ObjectNode root) throws ApiException {
        JsonNode vips = root.get("vips");
        if (vips == null || vips.isNull()) {
            return root.putArray("vips");
        }
        if (!vips.isArray()) {
            throw ApiException.badField("vips", "must be a list in the config file");
        }
        return (ArrayNode) vips;
    }

    /** The VIP named {@code name}; 404 if there is none. */
    static ObjectNode vip(ObjectNode root, String name) throws ApiException {
        for (JsonNode vip : vips(root)) {
            if (vip.isObject() && name.equals(vip.path("name").asText(null))) {
                return (ObjectNode) vip;
            }
        }
        throw ApiException.notFound("no VIP named \"" + name + "\"");
    }

    static int vipIndex(ObjectNode root, String name) throws ApiException {
        ArrayNode vips = vips(root);
        for (int i = 0; i < vips.size(); i++) {
            if (vips.get(i).isObject() && name.equals(vips.get(i).path("name").asText(null))) {
                return i;
            }
        }
        throw ApiException.notFound("no VIP named \"" + name + "\"");
    }

    /** The VIP's `backends` list, created when absent. */
    static ArrayNode backends(ObjectNode vip, String vipName) throws ApiException {
        JsonNode backends = vip.get("backends");
        if (backends == null || backends.isNull()) {
            return vip.putArray("backends");
        }
        if (!backends.isArray()) {
            throw ApiException.badField("vips." + vipName + ".backends", "must be a list in the config file");
        }
        return (ArrayNode) backends;
    }

    /** The index of the backend whose address is {@code address} (any spelling of it); 404 if none. */
    static int backendIndex(ArrayNode backends, String vipName, String address) throws ApiException {
        InetAddress wanted = address(address);
        for (int i = 0; i < backends.size(); i++) {
            String text = backends.get(i).path("address").asText("");
            try {
                if (IpLiteral.parse(text).equals(wanted)) {
                    return i;
                }
            } catch (IllegalArgumentException e) {
                // an entry the reader would refuse anyway; it is not the one asked for
            }
        }
        throw ApiException.notFound("VIP \"" + vipName + "\" has no backend " + address);
    }

    /** A backend address from a path or command line; 400 naming the field when it is no IP literal. */
    static InetAddress address(String text) throws ApiException {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badField("address", e.getMessage());
        }
    }
}
