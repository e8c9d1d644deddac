package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed, path-aware reads from one YAML mapping. Every bad value becomes a Problem
 * naming the field by path and the read returns empty, so the reader can go on and
 * report the next problem too. An explicit null (`key:` or `key: ~`) counts as absent.
 */
final class YamlMapping {
    private static final int MAX_SUGGESTION_DISTANCE = 2;
    /** Longer keys are surely no typo of ours, and the edit distance is quadratic. */
    private static final int MAX_SUGGESTED_KEY_LENGTH = 64;

    private final JsonNode node;
    private final String path;
    private final Problems problems;

    private YamlMapping(JsonNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /** The mapping at path, reporting any key not in knownKeys; empty (and a problem) if node is no mapping. */
    static Optional<YamlMapping> open(JsonNode node, String path, Problems problems, List<String> knownKeys) {
        if (node == null || !node.isObject()) {
            problems.add(path.isEmpty() ? "(root)" : path, "must be a mapping of keys to values, got " + describe(node));
            return Optional.empty();
        }
        YamlMapping mapping = new YamlMapping(node, path, problems);
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!knownKeys.contains(key)) {
                problems.add(mapping.field(key), "unknown key" + suggestion(key, knownKeys));
            }
        }
        return Optional.of(mapping);
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Problems problems() {
        return problems;
    }

    /** The raw value, empty when absent or null. */
    Optional<JsonNode> value(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() || v.isMissingNode() ? Optional.empty() : Optional.of(v);
    }

    Optional<String> string(String key, boolean required) {
        Optional<JsonNode> v = value(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(field(key), "required");
            }
            return Optional.empty();
        }
        JsonNode n = v.get();
        if (n.isTextual() || n.isIntegralNumber()) {
            return Optional.of(n.asText());
        }
        if (n.isBoolean()) {
            problems.add(field(key), "must be a string, got a boolean (quote it: YAML reads yes/no/on/off as booleans)");
        } else {
            problems.add(field(key), "must be a string, got " + describe(n));
        }
        return Optional.empty();
    }

    /** A string turned into T by parser, whose IllegalArgumentException message becomes the reason. */
    <T> Optional<T> parsed(String key, boolean required, Function<String, T> parser) {
        Optional<String> text = string(key, required);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text.get()));
        } catch (IllegalArgumentException e) {
            problems.add(field(key), e.getMessage());
            return Optional.empty();
        }
    }

    /** An integer in [min, max]; absent gives defaultValue (or "required" when defaultValue is null). */
    Optional<Integer> integer(String key, long min, long max, Integer defaultValue) {
        Optional<JsonNode> v = value(key);
        if (v.isEmpty()) {
            if (defaultValue == null) {
                problems.add(field(key), "required");
            }
            return Optional.ofNullable(defaultValue);
        }
        JsonNode n = v.get();
        if (!n.isIntegralNumber()) {
            problems.add(field(key), "must be an integer, got " + describe(n));
            return Optional.empty();
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            problems.add(field(key), "must be in " + min + ".." + max + ", got " + n.asText());
            return Optional.empty();
        }
        return Optional.of(n.intValue());
    }

    /** true or false; absent gives defaultValue. */
    Optional<Boolean> bool(String key, boolean defaultValue) {
        Optional<JsonNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.of(defaultValue);
        }
        if (!v.get().isBoolean()) {
            problems.add(field(key), "must be true or false, got " + describe(v.get()));
            return Optional.empty();
        }
        return Optional.of(v.get().booleanValue());
    }

    /** A sequence; absent gives an empty one. */
    Optional<JsonNode> sequence(String key) {
        Optional<JsonNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.of(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode());
        }
        if (!v.get().isArray()) {
            problems.add(field(key), "must be a list, got " + describe(v.get()));
            return Optional.empty();
        }
        return v;
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "nothing";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isTextual()) {
            return "\"" + n.asText() + "\"";
        }
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + n.asText();
    }

    private static String suggestion(String key, List<String> knownKeys) {
        String best = null;
        if (key.length() > MAX_SUGGESTED_KEY_LENGTH) {
            return " (expected one of " + String.join(", ", knownKeys) + ")";
        }
        int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
        for (String known : knownKeys) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best == null ? " (expected one of " + String.join(", ", knownKeys) + ")"
                : " (did you mean " + best + "?)";
    }

    /** Levenshtein distance with adjacent transpositions (so "tabel" is one edit from "table"). */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
