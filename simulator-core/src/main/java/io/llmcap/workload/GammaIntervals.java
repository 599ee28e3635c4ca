package io.llmcap.workload;

import java.util.SplittableRandom;

/**
 * Gamma-distributed gaps with mean {@code 1 / qps} and coefficient of variation {@code cv}: shape
 * {@code k = 1 / cv²}, scale {@code 1 / (qps k)}. cv 1 is Poisson; above 1 arrivals come in bursts.
 */
public final class GammaIntervals implements IntervalGenerator {
  private final double shape;
  private final double scale;
  private final SplittableRandom random;

  public GammaIntervals(double qps, double cv, long seed) {
    if (!(qps > 0) || Double.isInfinite(qps) || !(cv > 0) || Double.isInfinite(cv)) {
      throw new IllegalArgumentException(
          "qps and cv must be positive and finite: " + qps + ", " + cv);
    }
    this.shape = 1 / (cv * cv);
    this.scale = 1 / (qps * shape);
    this.random = new SplittableRandom(seed);
  }

  @Override
  public double next() {
    return scale * sample(random, shape);
  }

  /** A Gamma(shape, 1) variate by Marsaglia and Tsang (2000). */
  static double sample(SplittableRandom random, double shape) {
    if (shape < 1) {
      // Their boost for k < 1: Gamma(k) = Gamma(k + 1) * U^(1/k).
      return sample(random, shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = random.nextGaussian();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = random.nextDouble();
      // The cheap squeeze accepts most draws without a log.
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }
}
