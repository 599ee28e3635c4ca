package io.llmcap.search;

import io.llmcap.search.ResultColumns.Column;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the {@code deployments} dataset: the deployment id, the dimensions' cells ({@code
 * settings}, by column name, in column order) and what the search measured. The columns are {@code
 * deployment_id}, then {@link Dimensions#columns()}, then {@link DeploymentMetrics}'s components:
 * see {@link #columns}.
 */
public record DeploymentResult(
    String deploymentId, Map<String, Object> settings, DeploymentMetrics metrics)
    implements Serializable {

  /** A part file of another shape (an older version's) fails here, so that it is searched again. */
  public DeploymentResult {
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** The row of deployment {@code d}. */
  public static DeploymentResult of(DeploymentSpec d, DeploymentMetrics metrics) {
    List<Column> cols = d.dimensions().columns();
    List<Object> cells = d.cells();
    Map<String, Object> settings = new LinkedHashMap<>();
    for (int i = 0; i < cols.size(); i++) {
      settings.put(cols.get(i).name(), cells.get(i));
    }
    return new DeploymentResult(d.id(), settings, metrics);
  }

  /** The columns of the {@code deployments} dataset of a search over {@code dimensions}. */
  public static List<Column> columns(Dimensions dimensions) {
    List<Column> out = new ArrayList<>();
    out.add(new Column("deployment_id", String.class, true));
    out.addAll(dimensions.columns());
    out.addAll(ResultColumns.of(DeploymentMetrics.class));
    return out;
  }

  /** The columns of the {@code deployments} dataset of a search over the default dimensions. */
  public static List<Column> columns() {
    return columns(Dimensions.DEFAULT);
  }

  /**
   * The row's values for {@code columns} (from {@link #columns}), each of its column's type (a part
   * file read back gives a number of the smallest type that holds it), NaN as null.
   */
  public Object[] values(List<Column> columns) {
    Object[] metricValues = ResultColumns.values(metrics);
    int dims = columns.size() - 1 - metricValues.length;
    Object[] out = new Object[columns.size()];
    out[0] = deploymentId;
    for (int i = 0; i < dims; i++) {
      Column c = columns.get(1 + i);
      out[1 + i] = ResultColumns.coerce(settings.get(c.name()), c.type());
    }
    System.arraycopy(metricValues, 0, out, 1 + dims, metricValues.length);
    return out;
  }

  /** Writes {@code rows} (of a search over the default dimensions) as a CSV with a header. */
  public static void writeCsv(Path file, List<DeploymentResult> rows) {
    List<Column> cols = columns();
    ResultColumns.writeCsv(file, cols, rows.stream().map(r -> r.values(cols)).toList());
  }

  /** The default dimensions' column types, by name. */
  private static final Map<String, Class<?>> TYPES = new HashMap<>();

  static {
    for (Column c : Dimensions.DEFAULT.columns()) {
      TYPES.put(c.name(), c.type());
    }
  }

  /** A built-in dimension's cell, of its column's type. */
  private Object setting(String column) {
    return ResultColumns.coerce(settings.get(column), TYPES.get(column));
  }

  public String model() {
    return (String) settings.get("model");
  }

  public String workload() {
    return (String) settings.get("workload");
  }

  public String sku() {
    return (String) settings.get("sku");
  }

  public String node() {
    return (String) settings.get("node");
  }

  public int tp() {
    return (Integer) setting("tp");
  }

  public int pp() {
    return (Integer) setting("pp");
  }

  public int replicas() {
    return (Integer) setting("replicas");
  }

  public String scheduler() {
    return (String) settings.get("scheduler");
  }

  public Integer chunkSize() {
    return (Integer) setting("chunk_size");
  }

  public Integer maxTokensInBatch() {
    return (Integer) setting("max_tokens_in_batch");
  }

  public int batchSizeCap() {
    return (Integer) setting("batch_size_cap");
  }

  public String speculativeMethod() {
    return (String) settings.get("speculative_method");
  }

  public Integer numSpeculativeTokens() {
    return (Integer) setting("num_speculative_tokens");
  }

  public Double acceptanceRate() {
    return (Double) setting("acceptance_rate");
  }

  public int gpus() {
    return metrics.gpus();
  }

  public Double dollarsPerHour() {
    return metrics.dollarsPerHour();
  }

  public double maxQps() {
    return metrics.maxQps();
  }

  public Double capacityPerDollar() {
    return metrics.capacityPerDollar();
  }

  public String failingSlo() {
    return metrics.failingSlo();
  }

  public boolean nonMonotone() {
    return metrics.nonMonotone();
  }

  public double ttftP90() {
    return metrics.ttftP90();
  }

  public double tbtP99() {
    return metrics.tbtP99();
  }

  public int probes() {
    return metrics.probes();
  }

  public long simulatedRequests() {
    return metrics.simulatedRequests();
  }

  /** The weights' format that ran (a {@link io.llmcap.catalog.Precision} id). */
  public String dtype() {
    return metrics.dtype();
  }

  /** The KV cache's format that ran. */
  public String kvCacheDtype() {
    return metrics.kvCacheDtype();
  }

  /** The expert-parallel degree that ran (1: experts sharded over the replica, or dense). */
  public int ep() {
    return metrics.ep();
  }

  /** The price book {@link #dollarsPerHour()} comes from. */
  public String priceBook() {
    return metrics.priceBook();
  }

  /** {@code aggregated} or {@code disaggregated}. */
  public String layout() {
    return metrics.layout();
  }

  /** The router that ran (a disaggregated layout's prefill router). */
  public String router() {
    return metrics.router();
  }

  /** The router's options as the search gave them (canonical JSON), or null: its defaults. */
  public String routerOptions() {
    return metrics.routerOptions();
  }

  /** GiB of host memory per replica for the KV cache's CPU tier (0: none). */
  public double cpuOffloadGib() {
    return metrics.cpuOffloadGib();
  }

  /** Share of prompt tokens taken from the prefix cache at the max QPS; NaN: none measured. */
  public double prefixHitRate() {
    return metrics.prefixHitRate();
  }

  /** Whether prefill and decode ran on separate pools. */
  public boolean disaggregated() {
    return metrics.disaggregated();
  }
}
