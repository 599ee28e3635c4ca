package io.llmcap.workload;

import java.util.SplittableRandom;

/**
 * Total tokens uniform over {@code [minTokens, maxTokens]}, split so that prompt ≈ ratio × output:
 * {@code D = ceil(total / (1 + ratio))}, {@code P = total - D}.
 */
public final class UniformLengths implements LengthGenerator {
  private final int minTokens;
  private final int maxTokens;
  private final double ratio;
  private final SplittableRandom random;

  public UniformLengths(int minTokens, int maxTokens, double prefillToDecodeRatio, long seed) {
    if (minTokens < 2 || minTokens > maxTokens || !(prefillToDecodeRatio > 0)) {
      throw new IllegalArgumentException(
          "need 2 <= min <= max and ratio > 0: "
              + minTokens
              + ", "
              + maxTokens
              + ", "
              + prefillToDecodeRatio);
    }
    this.minTokens = minTokens;
    this.maxTokens = maxTokens;
    this.ratio = prefillToDecodeRatio;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public Lengths next() {
    int total = random.nextInt(minTokens, maxTokens + 1);
    return split(total, ratio);
  }

  /** The reference's split; the output is capped so the prompt keeps at least one token. */
  static Lengths split(int total, double ratio) {
    int decode = (int) Math.min(Math.ceil(total / (1 + ratio)), total - 1);
    return new Lengths(total - decode, decode);
  }
}
