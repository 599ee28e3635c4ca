package io.llmcap.search;

import io.llmcap.base.ConfigException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One latency objective: the {@code quantile} of {@code metric} must not exceed {@code maxS}
 * seconds. Metrics: {@code ttft}, {@code tbt} (per-token gap), {@code batch_time} (per-iteration
 * time, the reference's "TBT"), {@code tpot}, {@code e2e}, {@code scheduling_delay}.
 */
public record Slo(String metric, double quantile, double maxS) implements Serializable {
  public static final List<String> METRICS =
      List.of("ttft", "tbt", "batch_time", "tpot", "e2e", "scheduling_delay");

  /** TTFT p90 ≤ 2 s, per-token TBT p99 ≤ 0.2 s, and scheduling delay p99 ≤ 5 s for stability. */
  public static final List<Slo> DEFAULTS =
      List.of(
          new Slo("ttft", 0.9, 2.0),
          new Slo("tbt", 0.99, 0.2),
          new Slo("scheduling_delay", 0.99, 5.0));

  public void validate(String field) {
    if (!METRICS.contains(metric)) {
      throw ConfigException.unknown(field + ".metric", "SLO metric", metric, METRICS);
    }
    if (!(quantile > 0 && quantile < 1)) {
      throw ConfigException.invalid(field + ".quantile", quantile, "a number in (0, 1), e.g. 0.99");
    }
    if (!(maxS > 0) || Double.isInfinite(maxS)) {
      throw ConfigException.invalid(field + ".max_s", maxS, "a positive number of seconds");
    }
  }

  /** Short label such as {@code ttft_p90}. */
  public String label() {
    return metric + "_p" + trim(quantile * 100);
  }

  private static String trim(double percent) {
    String s = String.format(Locale.ROOT, "%.4f", percent);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
