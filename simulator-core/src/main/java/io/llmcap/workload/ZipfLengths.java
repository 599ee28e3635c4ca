package io.llmcap.workload;

import java.util.SplittableRandom;

/**
 * Total tokens Zipf-distributed over {@code [minTokens, maxTokens]} (YCSB's generator, as in the
 * reference; the smallest totals are the most likely), then {@code D = total / (1 + ratio)} and
 * {@code P = total - D}, both truncated to ints and at least 1.
 *
 * <p>Unlike the reference, {@code zeta(n)} sums {@code i = 1..n} (the reference stops at {@code n -
 * 1}), and totals are not scrambled (the reference's scramble hashes with Python's {@code hash} and
 * cannot be reproduced).
 */
public final class ZipfLengths implements LengthGenerator {
  private final int minTokens;
  private final long items;
  private final double theta;
  private final double ratio;
  private final double zetan;
  private final double alpha;
  private final double eta;
  private final SplittableRandom random;

  public ZipfLengths(
      int minTokens, int maxTokens, double theta, double prefillToDecodeRatio, long seed) {
    if (minTokens < 2 || minTokens > maxTokens) {
      throw new IllegalArgumentException("need 2 <= min <= max: " + minTokens + ", " + maxTokens);
    }
    if (!(theta > 0 && theta < 1) || !(prefillToDecodeRatio > 0)) {
      throw new IllegalArgumentException(
          "need 0 < theta < 1 and ratio > 0: " + theta + ", " + prefillToDecodeRatio);
    }
    this.minTokens = minTokens;
    this.items = (long) maxTokens - minTokens + 1;
    this.theta = theta;
    this.ratio = prefillToDecodeRatio;
    this.zetan = zeta(items, theta);
    this.alpha = 1 / (1 - theta);
    // eta only matters when there are more than two items; with two its denominator is 0.
    this.eta =
        items > 2 ? (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta(2, theta) / zetan) : 0;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public Lengths next() {
    long total = minTokens + rank();
    double decode = total / (1 + ratio);
    // total >= 2 and 0 < decode < total, so both stay >= 1 and their sum stays <= total.
    return new Lengths(Math.max(1, (int) (total - decode)), Math.max(1, (int) decode));
  }

  /** A Zipf rank in {@code [0, items)}; 0 is the most likely. */
  private long rank() {
    double u = random.nextDouble();
    double uz = u * zetan;
    if (uz < 1) {
      return 0;
    }
    if (uz < 1 + Math.pow(0.5, theta)) {
      return 1;
    }
    // u < 1 keeps this below items; the min guards against rounding.
    return Math.min(items - 1, (long) (items * Math.pow(eta * u - eta + 1, alpha)));
  }

  private static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }
}
