package io.llmcap.workload;

/** The two ways the reference fits a request into {@code max_tokens}. */
final class LengthClip {
  private LengthClip() {}

  /**
   * Takes the excess from prompt and output in proportion to their sizes (the reference's trace
   * length generator), keeping both at least 1. Requires {@code maxTokens >= 2}.
   */
  static Lengths proportional(int prefill, int decode, int maxTokens) {
    prefill = Math.max(1, prefill);
    decode = Math.max(1, decode);
    long total = (long) prefill + decode;
    if (total <= maxTokens) {
      return new Lengths(prefill, decode);
    }
    long diff = total - maxTokens;
    int p = Math.max(1, prefill - (int) ceilDiv(diff * prefill, total));
    int d = Math.max(1, decode - (int) ceilDiv(diff * decode, total));
    // Raising a side to 1 can overshoot by a token; take it from the larger side.
    if (p + d > maxTokens) {
      if (p >= d) {
        p = maxTokens - d;
      } else {
        d = maxTokens - p;
      }
    }
    return new Lengths(p, d);
  }

  /**
   * Takes the excess from the prompt only (the reference's trace replay), keeping it at least 1;
   * only an output of {@code maxTokens} or more is itself cut, to {@code maxTokens - 1}.
   */
  static Lengths prefillOnly(int prefill, int decode, int maxTokens) {
    int d = Math.min(Math.max(1, decode), maxTokens - 1);
    int p = Math.max(1, prefill);
    return new Lengths(Math.min(p, maxTokens - d), d);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
