package io.llmcap.workload;

/**
 * Draws gaps between consecutive arrivals, in seconds; the first request arrives at the first gap.
 * Implementations are deterministic given their seed ({@link WorkloadContext#seed()}). Plug-in
 * generators come from an {@link IntervalProvider}.
 */
public interface IntervalGenerator {
  /**
   * The next inter-arrival gap in seconds (0 or more), or a negative number when a finite source (a
   * trace) is exhausted, which ends the workload.
   */
  double next();
}
