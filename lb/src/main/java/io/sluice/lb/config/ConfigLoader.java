package io.sluice.lb.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads sluice.yaml: YAML into a tree, then every key read and checked by path, so
 * one run reports every error (unknown keys included) instead of stopping at the first.
 */
public final class ConfigLoader {
    /** The field name of errors that are about the YAML text itself rather than one key. */
    public static final String YAML_FIELD = "(yaml)";

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConfigLoader() {
    }

    public static SluiceConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), "cannot read: " + e)));
        }
        return parse(text);
    }

    public static SluiceConfig parse(String yaml) throws ConfigException {
        JsonNode root = readTree(yaml);
        ConfigReader reader = new ConfigReader();
        return reader.read(root).orElseThrow(() -> new ConfigException(reader.problems().list()));
    }

    /**
     * The local config with the fleet's shared document (Consul KV, consul.kv) laid in: the document's
     * {@code vips} and {@code dos} are read with the file's schema and checks, and checked together
     * with the host's settings. Every problem is reported, each by its path in the document.
     */
    public static SluiceConfig withShared(SluiceConfig local, String document) throws ConfigException {
        JsonNode root = readTree(document);
        Problems problems = new Problems();
        SluiceConfig merged = SharedConfigReader.read(local, root, problems);
        if (merged == null) {
            throw new ConfigException(problems.list());
        }
        return merged;
    }

    private static JsonNode readTree(String yaml) throws ConfigException {
        try {
            JsonNode root = YAML.readTree(yaml);
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new ConfigException(List.of(new ConfigError(YAML_FIELD, "the configuration is empty")));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(new ConfigError(YAML_FIELD, where(e.getLocation()) + e.getOriginalMessage())));
        } catch (RuntimeException e) {
            // The YAML library's own limits (alias bombs, nesting) surface as unchecked exceptions.
            throw new ConfigException(List.of(new ConfigError(YAML_FIELD, "not valid YAML: " + e.getMessage())));
        }
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }
}
