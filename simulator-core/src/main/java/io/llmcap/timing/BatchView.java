package io.llmcap.timing;

/**
 * What a predictor may know about one batch: per request, the tokens it runs this iteration, the
 * tokens already in its KV cache, and whether it is still in prefill.
 */
public interface BatchView {
  int size();

  /** Tokens request {@code i} processes in this iteration (a prefill chunk, or 1 for a decode). */
  int numTokens(int i);

  /** Tokens of request {@code i} already processed, i.e. its KV-cache length before this step. */
  int processedBefore(int i);

  /** True while request {@code i} is in its prefill phase. */
  boolean isPrefill(int i);

  /** Sum of {@link #numTokens} over the batch. */
  int totalTokens();
}
