package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.cluster.Routers;
import io.llmcap.search.ResultColumns.Column;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Routers to compare: {@code routers: [round_robin, lor, {name: prefix_aware, options: {...}}]},
 * each a name of the router registry, optionally with its {@code router_options.<name>} block.
 * Absent, or {@code round_robin} without options, is the probe's round-robin routing and adds
 * nothing to the deployment id. A disaggregated layout routes with its own pools' routers, so it
 * takes the default only.
 *
 * <p>No column of its own: the router that ran (and its options) are the {@code router} and {@code
 * router_options} columns appended to every row ({@link DeploymentMetrics}).
 */
final class RouterDimension implements Dimension<RouterDimension.Choice> {
  private static final long serialVersionUID = 1L;
  static final String DEFAULT = "round_robin";

  /** A router and its options block as canonical JSON (keys sorted), null: the defaults. */
  record Choice(String name, String options) implements Serializable {

    /** The options as a tree, or null. */
    JsonNode optionsTree() {
      try {
        return options == null ? null : Yaml.yaml().readTree(options);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** "lor", or "prefix_aware {\"load_weight\":2}". */
    String label() {
      return options == null ? name : name + " " + options;
    }
  }

  @Override
  public String key() {
    return "routers";
  }

  @Override
  public List<Choice> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return Collections.singletonList(null);
    }
    String allowed =
        "a non-empty list of router names ("
            + String.join(", ", Routers.names())
            + "), each optionally as {name: NAME, options: {...}} with its router_options block";
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(field, "must be " + allowed);
    }
    List<Choice> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String f = field + "[" + i + "]";
      Choice c = choice(node.get(i), f, allowed);
      if (out.contains(c)) {
        throw new ConfigException(field, "lists " + (c == null ? DEFAULT : c.label()) + " twice");
      }
      out.add(c);
    }
    return out;
  }

  private static Choice choice(JsonNode v, String f, String allowed) {
    String name;
    JsonNode options = null;
    if (v.isTextual()) {
      name = v.asText();
    } else if (v.isObject()) {
      Iterator<String> keys = v.fieldNames();
      while (keys.hasNext()) {
        String k = keys.next();
        if (!k.equals("name") && !k.equals("options")) {
          throw new ConfigException(
              f + "." + k, "unknown key '" + k + "'; allowed keys: name, options");
        }
      }
      if (!v.path("name").isTextual()) {
        throw new ConfigException(f + ".name", "missing: a router name");
      }
      name = v.get("name").asText();
      options = v.get("options");
      if (options != null && options.isNull()) {
        options = null;
      }
      if (options != null && !options.isObject()) {
        throw ConfigException.invalid(
            f + ".options", options.asText(), "a mapping of the router's options");
      }
    } else {
      throw ConfigException.invalid(f, v.isValueNode() ? v.asText() : v, allowed);
    }
    if (!Routers.names().contains(name)) {
      throw ConfigException.unknown(f, "router", name, Routers.names());
    }
    try {
      Routers.check(name, options == null ? Map.of() : Map.of(name, options));
    } catch (ConfigException e) {
      // the registry names router_options.<name>...; the search config names this entry
      String prefix = "router_options." + name;
      String rest = e.field().startsWith(prefix) ? e.field().substring(prefix.length()) : "";
      throw new ConfigException(
          f + ".options" + rest, e.getMessage().substring(e.field().length() + 2), e);
    }
    if (options == null || options.isEmpty()) {
      return name.equals(DEFAULT) ? null : new Choice(name, null);
    }
    return new Choice(name, canonical(options).toString());
  }

  /** The tree with every mapping's keys sorted, so that equal options give one id. */
  static JsonNode canonical(JsonNode n) {
    if (n.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String k : new TreeSet<>(iterable(n.fieldNames()))) {
        out.set(k, canonical(n.get(k)));
      }
      return out;
    }
    if (n.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode();
      n.forEach(e -> out.add(canonical(e)));
      return out;
    }
    return n;
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /** The listed routers; a disaggregated layout only the default (its pools have their own). */
  @Override
  public List<Choice> values(SearchSpace space, DeploymentSpec outer) {
    if (Dimensions.layout(outer) != null) {
      return Collections.singletonList(null);
    }
    return Dimension.super.values(space, outer);
  }

  @Override
  public List<Column> columns() {
    return List.of();
  }

  @Override
  public List<Object> cells(Choice c) {
    return List.of();
  }

  @Override
  public void id(Choice c, List<String> key) {
    if (c != null) {
      key.add("router=" + c.label());
    }
  }

  @Override
  public void configure(Choice c, DeploymentSpec d, ProbeConfig config) {
    if (c == null) {
      return;
    }
    config.router(c.name());
    if (c.options() != null) {
      config.routerOptions(c.name(), c.optionsTree());
    }
  }

  @Override
  public String describe(Choice c) {
    return c == null ? null : "router " + c.label();
  }
}
