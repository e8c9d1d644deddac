package io.sluice.lb.admin;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Finds the resource for a path: no template matches -> 404; a match without the method -> 405. */
public final class Router {
    private record Route(String[] segments, Resource resource) {
    }

    /** The outcome of a lookup: the resource and its path parameters, or why there is none. */
    public sealed interface Match permits Found, NoSuchPath, WrongMethod {
    }

    public record Found(Resource resource, Map<String, String> params) implements Match {
    }

    public record NoSuchPath() implements Match {
    }

    public record WrongMethod(Set<String> allowed) implements Match {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router(List<Resource> resources) {
        for (Resource r : resources) {
            routes.add(new Route(split(r.path()), r));
        }
    }

    public Match find(String method, String path) {
        String[] parts = split(path);
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = match(route.segments(), parts);
            if (params.isEmpty()) {
                continue;
            }
            if (route.resource().methods().contains(method)) {
                return new Found(route.resource(), params.get());
            }
            allowed.addAll(route.resource().methods());
        }
        return allowed.isEmpty() ? new NoSuchPath() : new WrongMethod(allowed);
    }

    private static Optional<Map<String, String>> match(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                String value = QueryStringDecoder.decodeComponent(parts[i]);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), value);
            } else if (!t.equals(parts[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    /** "/v1/vips/web/" -> [v1, vips, web]: a trailing slash is the same resource. */
    private static String[] split(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
