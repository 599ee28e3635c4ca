package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.search.ResultColumns.Column;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A test-only dimension, the example of {@code docs/extending.md}: vLLM's automatic prefix caching
 * on and off, from a {@code prefix_caching: [true, false]} list. Absent, it is a single null that
 * leaves the config's default (on) and the deployment ids as they were.
 */
final class PrefixCachingDimension implements Dimension<Boolean> {
  @Override
  public String key() {
    return "prefix_caching";
  }

  @Override
  public List<Boolean> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return Collections.singletonList(null);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list of true/false");
    }
    List<Boolean> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isBoolean()) {
        throw ConfigException.invalid(field + "[" + i + "]", node.get(i), "true or false");
      }
      out.add(node.get(i).asBoolean());
    }
    return out;
  }

  @Override
  public List<Column> columns() {
    return List.of(new Column("prefix_caching", Boolean.class, true));
  }

  @Override
  public List<Object> cells(Boolean on) {
    return Collections.singletonList(on);
  }

  @Override
  public void id(Boolean on, List<String> key) {
    if (on != null) {
      key.add("apc=" + on);
    }
  }

  @Override
  public void configure(Boolean on, DeploymentSpec d, ProbeConfig config) {
    if (on != null) {
      config.prefixCaching(on);
    }
  }
}
