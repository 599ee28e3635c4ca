package io.llmcap.timing;

/**
 * What a predictor may know about one batch: per request, the tokens it runs this iteration, the
 * tokens already in its KV cache, and whether it is still in prefill.
 */
public interface BatchView {
  int size();

  /**
   * Tokens request {@code i} processes in this iteration: a prefill chunk, 1 for a decode, or 1 + k
   * for a speculative verify pass ({@link #isVerify}).
   */
  int numTokens(int i);

  /** Tokens of request {@code i} already processed, i.e. its KV-cache length before this step. */
  int processedBefore(int i);

  /** True while request {@code i} is in its prefill phase. */
  boolean isPrefill(int i);

  /**
   * True when request {@code i} is a decode that verifies speculative tokens: its attention runs
   * over a chunk of {@link #numTokens} tokens on its KV prefix, like a prefill chunk, and
   * predictors should cost it as one.
   */
  default boolean isVerify(int i) {
    return !isPrefill(i) && numTokens(i) > 1;
  }

  /** Sum of {@link #numTokens} over the batch. */
  int totalTokens();
}
