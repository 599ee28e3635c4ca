package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.search.ResultColumns.Column;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Host-memory KV tiers to compare: {@code cpu_offload_gib: [0, 64]}, GiB of CPU memory per replica
 * that computed blocks are stored in and prefix hits are loaded back from ({@code
 * scheduler.cpu_offload_gib}, vLLM's {@code --kv-offloading-size}; docs/prefix-fleets.md). 0, like
 * the key absent, is no tier and adds nothing to the deployment id. Only vllm_v1 has the tier, so
 * for the other schedulers every size is 0 and is tried once.
 *
 * <p>No column of its own: the size that ran is the {@code cpu_offload_gib} column appended to
 * every row ({@link DeploymentMetrics}).
 */
final class CpuOffloadDimension implements Dimension<Double> {
  private static final long serialVersionUID = 1L;
  private static final String ALLOWED = "GiB of host memory per replica ≥ 0 (0: no CPU tier)";

  /** The scheduler whose prefix cache has a host tier. */
  static final String SCHEDULER = "vllm_v1";

  @Override
  public String key() {
    return "cpu_offload_gib";
  }

  @Override
  public List<Double> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of(0.0);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list of sizes: " + ALLOWED);
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode v = node.get(i);
      if (!v.isNumber() || !(v.asDouble() >= 0) || Double.isInfinite(v.asDouble())) {
        throw ConfigException.invalid(
            field + "[" + i + "]", v.isValueNode() ? v.asText() : v, ALLOWED);
      }
      double gib = v.asDouble() + 0.0; // -0.0 is 0
      if (out.contains(gib)) {
        throw new ConfigException(field, "lists " + text(gib) + " twice");
      }
      out.add(gib);
    }
    return out;
  }

  /** The listed sizes; a scheduler without the tier only 0. */
  @Override
  public List<Double> values(SearchSpace space, DeploymentSpec outer) {
    boolean tier = SCHEDULER.equals(outer.get(Dimensions.SCHEDULER).type());
    List<Double> out = new ArrayList<>();
    for (Double gib : Dimension.super.values(space, outer)) {
      double v = tier ? gib : 0.0;
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  /** "64", "0.5": the shortest exact text of a size. */
  static String text(double gib) {
    return BigDecimal.valueOf(gib).stripTrailingZeros().toPlainString();
  }

  @Override
  public List<Column> columns() {
    return List.of();
  }

  @Override
  public List<Object> cells(Double gib) {
    return List.of();
  }

  @Override
  public void id(Double gib, List<String> key) {
    if (gib > 0) {
      key.add("cpu=" + text(gib));
    }
  }

  @Override
  public void configure(Double gib, DeploymentSpec d, ProbeConfig config) {
    if (gib > 0) {
      config.cpuOffloadGib(gib);
    }
  }

  @Override
  public String describe(Double gib) {
    return gib > 0 ? "CPU tier " + text(gib) + " GiB" : null;
  }
}
