package io.llmcap.workload;

/** Every request has the same prompt and output length. */
public record FixedLengths(int prefill, int decode) implements LengthGenerator {
  public FixedLengths {
    if (prefill < 1 || decode < 1) {
      throw new IllegalArgumentException("lengths must be at least 1: " + prefill + ", " + decode);
    }
  }

  @Override
  public Lengths next() {
    return new Lengths(prefill, decode);
  }
}
