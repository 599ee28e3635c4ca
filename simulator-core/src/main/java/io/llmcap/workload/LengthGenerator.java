package io.llmcap.workload;

/**
 * Draws request lengths, one request at a time, in arrival order. Implementations are deterministic
 * given their seed ({@link WorkloadContext#seed()}). Plug-in generators come from a {@link
 * LengthProvider}.
 */
public interface LengthGenerator {
  /**
   * The next request's prompt and output lengths (each at least 1; they are clipped to {@code
   * workload.max_tokens} afterwards), or null when a finite source (a trace) is exhausted, which
   * ends the workload.
   */
  Lengths next();
}
