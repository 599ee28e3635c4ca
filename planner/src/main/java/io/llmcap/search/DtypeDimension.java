package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Precision;
import io.llmcap.search.ResultColumns.Column;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Number formats to compare: {@code dtypes: [bf16, fp8]} for the weights ({@code cluster.dtype}),
 * {@code kv_cache_dtypes: [auto, fp8]} for the KV cache ({@code cluster.kv_cache_dtype}). Values
 * are read by {@link Precision#parse}, so aliases ({@code bfloat16}, {@code float8}, ...) are
 * accepted and kept as the canonical id. {@code auto}, like the key absent, is the run config's
 * default (the checkpoint's own weights; a 16-bit KV cache) and adds nothing to the deployment id.
 *
 * <p>No columns of its own: the formats that ran, the default resolved against the checkpoint, are
 * the {@code dtype} and {@code kv_cache_dtype} columns every deployment row ends with ({@link
 * DeploymentMetrics}).
 */
final class DtypeDimension implements Dimension<String> {
  private static final long serialVersionUID = 1L;
  private static final String AUTO = "auto";

  /** True: the KV cache's format; false: the weights'. */
  private final boolean kvCache;

  DtypeDimension(boolean kvCache) {
    this.kvCache = kvCache;
  }

  @Override
  public String key() {
    return kvCache ? "kv_cache_dtypes" : "dtypes";
  }

  private String allowed() {
    return kvCache
        ? "auto (16 bits), fp16, bf16 or fp8 (float16, bfloat16, float8 accepted)"
        : "auto (the checkpoint's), bf16, fp16, fp8, int4, nvfp4 or mxfp4 (float16, bfloat16,"
            + " float8, awq, gptq, fp4 accepted)";
  }

  @Override
  public List<String> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return Collections.singletonList(null);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list of formats: " + allowed());
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String f = field + "[" + i + "]";
      JsonNode v = node.get(i);
      if (!v.isTextual()) {
        throw ConfigException.invalid(f, v, allowed());
      }
      String id = null;
      if (!v.asText().trim().equalsIgnoreCase(AUTO)) {
        Precision p = parse(f, v.asText());
        id = p.id();
      }
      if (out.contains(id)) {
        throw new ConfigException(
            field, "lists " + (id == null ? AUTO : id) + " twice (" + v.asText() + ")");
      }
      out.add(id);
    }
    return out;
  }

  private Precision parse(String field, String value) {
    Precision p;
    try {
      p = Precision.parse(field, value);
    } catch (ConfigException e) {
      throw ConfigException.invalid(field, value, allowed());
    }
    if (kvCache && !p.kvCacheFormat()) {
      throw ConfigException.invalid(field, value, allowed());
    }
    return p;
  }

  @Override
  public List<Column> columns() {
    return List.of();
  }

  @Override
  public List<Object> cells(String value) {
    return List.of();
  }

  @Override
  public void id(String value, List<String> key) {
    if (value != null) {
      key.add((kvCache ? "kv=" : "dtype=") + value);
    }
  }

  @Override
  public void configure(String value, DeploymentSpec d, ProbeConfig config) {
    if (value == null) {
      return;
    }
    if (kvCache) {
      config.kvCacheDtype(value);
    } else {
      config.dtype(value);
    }
  }

  @Override
  public String describe(String value) {
    return value == null ? null : (kvCache ? "KV cache " : "weights ") + value;
  }
}
