package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmcap.base.ConfigException;
import io.llmcap.search.ResultColumns.Column;
import java.util.ArrayList;
import java.util.List;

/**
 * Expert parallelism on or off, as vLLM's {@code --enable-expert-parallel}: {@code expert_parallel:
 * [false, true]}. On, a mixture-of-experts model's whole experts are spread over the replica's
 * tensor_parallel × data_parallel GPUs ({@code cluster.expert_parallel} = that product); off, every
 * expert is sharded over them (1). Absent, or false, adds nothing to the deployment id. At one GPU
 * per replica both are the same deployment, so only off is tried there; a dense model with it on is
 * skipped with the simulation's reason (it has no experts).
 *
 * <p>No column of its own: the degree that ran is the {@code ep} column every deployment row ends
 * with ({@link DeploymentMetrics}).
 */
final class ExpertParallelDimension implements Dimension<Boolean> {
  private static final long serialVersionUID = 1L;

  @Override
  public String key() {
    return "expert_parallel";
  }

  @Override
  public List<Boolean> parse(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of(false);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new ConfigException(
          field, "must be a non-empty list of true/false (vLLM's --enable-expert-parallel)");
    }
    List<Boolean> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode v = node.get(i);
      if (!v.isBoolean()) {
        throw ConfigException.invalid(
            field + "[" + i + "]",
            v,
            "true (whole experts on each of the replica's tensor_parallel × data_parallel GPUs)"
                + " or false (every expert sharded over them)");
      }
      if (out.contains(v.asBoolean())) {
        throw new ConfigException(field, "lists " + v.asBoolean() + " twice");
      }
      out.add(v.asBoolean());
    }
    return out;
  }

  /** The listed settings; with one GPU per expert group, on is off. */
  @Override
  public List<Boolean> values(SearchSpace space, DeploymentSpec outer) {
    var layout = Dimensions.layout(outer);
    if (layout != null) {
      return List.of(layout.prefill().ep());
    }
    List<Boolean> out = new ArrayList<>();
    for (Boolean on : Dimension.super.values(space, outer)) {
      boolean v = on && degree(outer) > 1;
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  /** The EP degree when on: tensor_parallel × data_parallel (data parallelism is 1 in a search). */
  static int degree(DeploymentSpec d) {
    return d.tp();
  }

  @Override
  public List<Column> columns() {
    return List.of();
  }

  @Override
  public List<Object> cells(Boolean on) {
    return List.of();
  }

  @Override
  public void id(Boolean on, List<String> key) {
    if (on) {
      key.add("ep");
    }
  }

  @Override
  public void configure(Boolean on, DeploymentSpec d, ProbeConfig config) {
    if (on && Dimensions.layout(d) == null) {
      config.expertParallel(degree(d));
    }
  }

  @Override
  public String describe(Boolean on) {
    // a layout's describe names each pool's EP
    return on ? "expert parallel" : null;
  }
}
