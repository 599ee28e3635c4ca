package io.llmcap.metrics;

import java.util.List;
import java.util.Locale;

/**
 * Stops a run as soon as a latency objective is certainly missed, for capacity searches where a
 * failing probe needs no more simulation. {@code metric} is a per-request latency ({@code ttft},
 * {@code e2e} or {@code scheduling_delay}); the run will complete {@code expectedRequests}.
 *
 * <p>Certain means: with N values sorted, the linearly interpolated q-quantile lies between the
 * values at ranks ⌊q(N−1)⌋ and the next, so once N − ⌊q(N−1)⌋ values exceed {@code maxS}, the
 * quantile exceeds it however the remaining requests fare. A stopped run therefore misses the
 * objective exactly when the full run would, and the search's answers do not change.
 */
public record EarlyStop(String metric, double quantile, double maxS, long expectedRequests) {
  public static final List<String> METRICS = List.of("ttft", "e2e", "scheduling_delay");

  public EarlyStop {
    if (!METRICS.contains(metric)) {
      throw new IllegalArgumentException("early stop on " + metric + "; allowed: " + METRICS);
    }
  }

  /** How many values above {@code maxS} make the quantile certainly exceed it. */
  public long exceedancesToStop() {
    long lo = (long) Math.floor(quantile * (expectedRequests - 1));
    return expectedRequests - lo;
  }

  public String label() {
    return String.format(Locale.ROOT, "%s_p%s>%s", metric, trim(100 * quantile), trim(maxS));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
