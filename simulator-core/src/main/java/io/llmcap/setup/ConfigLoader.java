package io.llmcap.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.config.SimulationConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Resolves a simulation config: {@code defaults.yaml} (every key, documented), then the user's
 * file, then {@code --set key=value} overrides. Keys the defaults do not have are rejected with a
 * did-you-mean, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
  private static final String DEFAULTS = "llmcap/defaults.yaml";

  /** Blocks that default to null (off) and, when given, merge into these keys and defaults. */
  private static final Map<String, ObjectNode> TEMPLATES =
      Map.of("cluster.disaggregation", (ObjectNode) resource("llmcap/disaggregation.yaml"));

  private ConfigLoader() {}

  /**
   * The default tree; every valid key appears in it, the blocks of plug-ins on the classpath
   * included.
   */
  public static ObjectNode defaults() {
    ObjectNode tree = (ObjectNode) resource(DEFAULTS);
    Plugins.addDefaults(tree);
    return tree;
  }

  private static JsonNode resource(String name) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return Yaml.readTree(in, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a YAML file into a tree, with errors naming the file. */
  public static JsonNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(), "no such file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return Yaml.readTree(in, file.toString());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
    }
  }

  /**
   * Merges {@code overlay} into {@code base} in place, rejecting keys {@code base} lacks.
   *
   * @see Yaml#merge(ObjectNode, JsonNode, String)
   */
  public static void merge(ObjectNode base, JsonNode overlay, String path) {
    Yaml.merge(base, overlay, path, TEMPLATES);
  }

  /** Applies one {@code dotted.key=value} override; the value is read as a YAML scalar. */
  public static void set(ObjectNode tree, String assignment) {
    Assignment a = Assignment.parse(assignment, "");
    String[] parts = a.path();
    ObjectNode overlay = Yaml.yaml().createObjectNode();
    ObjectNode cursor = overlay;
    for (int i = 0; i < parts.length - 1; i++) {
      cursor = cursor.putObject(parts[i]);
    }
    cursor.set(parts[parts.length - 1], a.value());
    merge(tree, overlay, "");
  }

  /**
   * Sets one dotted key of a resolved tree to a typed value; the key must exist (in the defaults),
   * so a misspelt key fails here rather than in binding.
   */
  public static void put(ObjectNode tree, String dotted, JsonNode value) {
    String[] parts = dotted.split("\\.");
    ObjectNode cursor = tree;
    for (int i = 0; i < parts.length; i++) {
      JsonNode next = cursor.get(parts[i]);
      if (next == null || (i < parts.length - 1 && !next.isObject())) {
        throw new IllegalStateException("no config key " + dotted + " in the defaults");
      }
      if (i == parts.length - 1) {
        cursor.set(parts[i], value);
      } else {
        cursor = (ObjectNode) next;
      }
    }
  }

  /** One {@code dotted.key=value} override as given on a command line. */
  public record Assignment(String key, JsonNode value) {
    /**
     * Reads {@code key=value}, the value as YAML (empty or absent: null).
     *
     * @param field prefixed to the key in the error about an unreadable value ({@code "--set "})
     */
    public static Assignment parse(String assignment, String field) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("--set", "'" + assignment + "' is not of the form key=value");
      }
      String key = assignment.substring(0, eq).trim();
      String raw = assignment.substring(eq + 1).trim();
      JsonNode value;
      try {
        value = Yaml.yaml().readTree(raw.isEmpty() ? "null" : raw);
      } catch (IOException e) {
        throw new ConfigException(field + key, "cannot read value '" + raw + "'");
      }
      if (value == null || value.isMissingNode()) {
        value = Yaml.yaml().nullNode();
      }
      return new Assignment(key, value);
    }

    /** The key's dotted parts. */
    public String[] path() {
      return key.split("\\.");
    }
  }

  /** Defaults, then the file (if any), then the overrides: the resolved tree. */
  public static ObjectNode resolve(Path file, List<String> overrides) {
    ObjectNode tree = defaults();
    if (file != null) {
      merge(tree, readFile(file), "");
    }
    for (String s : overrides) {
      set(tree, s);
    }
    return tree;
  }

  public static SimulationConfig bind(JsonNode resolved) {
    return Yaml.bind(resolved, SimulationConfig.class, "");
  }
}
