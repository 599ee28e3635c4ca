package io.llmcap.workload;

/** Draws request lengths. Implementations are deterministic given their seed. */
public interface LengthGenerator {
  /** The next request's lengths, or null when a finite source (a trace) is exhausted. */
  Lengths next();
}
