package io.llmcap.workload;

import java.util.SplittableRandom;

/**
 * Exponential gaps with mean {@code 1 / qps}. The reference truncates gaps at {@code 3 / qps},
 * which raises the effective rate above qps; this draws the untruncated exponential.
 */
public final class PoissonIntervals implements IntervalGenerator {
  private final double qps;
  private final SplittableRandom random;

  public PoissonIntervals(double qps, long seed) {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("qps must be positive and finite: " + qps);
    }
    this.qps = qps;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public double next() {
    // 1 - U lies in (0, 1], so the log is finite.
    return -Math.log(1 - random.nextDouble()) / qps;
  }
}
