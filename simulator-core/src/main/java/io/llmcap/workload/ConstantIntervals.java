package io.llmcap.workload;

/**
 * Evenly spaced arrivals, as benchmark load generators send them (inference-perf's {@code constant}
 * load, vLLM's {@code bench serve} with an infinite burstiness): request i arrives at i / qps, the
 * first at time 0.
 */
public final class ConstantIntervals implements IntervalGenerator {
  private final double gap;
  private boolean first = true;

  public ConstantIntervals(double qps) {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("qps must be positive and finite: " + qps);
    }
    this.gap = 1 / qps;
  }

  @Override
  public double next() {
    if (first) {
      first = false;
      return 0;
    }
    return gap;
  }
}
