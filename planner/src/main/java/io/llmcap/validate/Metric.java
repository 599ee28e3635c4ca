package io.llmcap.validate;

import java.util.Map;

/**
 * The latencies and throughputs a manifest measures and {@code validate} compares, in the column
 * order of {@code comparison.csv}. Latencies are milliseconds as the manifest states them; each
 * predicted value is computed the way the manifest defines its measured twin.
 */
public enum Metric {
  TTFT_MEAN("ttft_mean_ms", "ttft_s_mean"),
  TTFT_P50("ttft_p50_ms", "ttft_s_p50"),
  TTFT_P90("ttft_p90_ms", "ttft_s_p90"),
  TTFT_P99("ttft_p99_ms", "ttft_s_p99"),
  /** (E2E mean − TTFT mean) / (output tokens − 1), as the manifest derives it. */
  TPOT_MEAN("tpot_mean_ms", null),
  E2E_MEAN("e2e_mean_ms", "e2e_s_mean"),
  E2E_P50("e2e_p50_ms", "e2e_s_p50"),
  E2E_P90("e2e_p90_ms", "e2e_s_p90"),
  E2E_P99("e2e_p99_ms", "e2e_s_p99"),
  THROUGHPUT("throughput_rps", "throughput_rps"),
  OUTPUT_TOKENS_PER_S("output_tokens_per_s", "output_tokens_per_s");

  private final String column;
  private final String summaryKey;

  Metric(String column, String summaryKey) {
    this.column = column;
    this.summaryKey = summaryKey;
  }

  /** The manifest's column, and the stem of the comparison's columns. */
  public String column() {
    return column;
  }

  private boolean latency() {
    return column.endsWith("_ms");
  }

  /** The measured value, or null where the manifest has none (blank or 0). */
  public Double measured(ManifestRow row) {
    Double v = row.number(column);
    return v == null || v == 0 ? null : v;
  }

  /** The predicted value from a run's {@code summary.json} map, or null when it has none. */
  public Double predicted(Map<String, Object> summary, int outputTokens) {
    if (this == TPOT_MEAN) {
      Double e2e = E2E_MEAN.predicted(summary, outputTokens);
      Double ttft = TTFT_MEAN.predicted(summary, outputTokens);
      return e2e == null || ttft == null || outputTokens < 2
          ? null
          : (e2e - ttft) / (outputTokens - 1);
    }
    Object v = summary.get(summaryKey);
    if (!(v instanceof Number n)) {
      return null;
    }
    return latency() ? n.doubleValue() * 1e3 : n.doubleValue();
  }
}
