package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.cluster.Routers;
import io.llmcap.search.ResultColumns.Column;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A test-only dimension, the example of {@code docs/extending.md}: the router, from a {@code
 * routers: [round_robin, lor]} list. Absent, it is a single null that leaves the config's
 * round-robin routing and the deployment ids as they were.
 */
final class RouterDimension implements Dimension<String> {
  @Override
  public String key() {
    return "routers";
  }

  @Override
  public List<String> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return Collections.singletonList(null);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list of router names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String name = node.get(i).asText();
      if (!Routers.names().contains(name)) {
        throw ConfigException.unknown(field + "[" + i + "]", "router", name, Routers.names());
      }
      out.add(name);
    }
    return out;
  }

  @Override
  public List<Column> columns() {
    return List.of(new Column("router", String.class, true));
  }

  @Override
  public List<Object> cells(String router) {
    return Collections.singletonList(router);
  }

  @Override
  public void id(String router, List<String> key) {
    if (router != null) {
      key.add("router=" + router);
    }
  }

  @Override
  public void configure(String router, DeploymentSpec d, ProbeConfig config) {
    if (router != null) {
      config.router(router);
    }
  }
}
