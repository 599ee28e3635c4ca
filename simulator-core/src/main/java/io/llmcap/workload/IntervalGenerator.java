package io.llmcap.workload;

/** Draws gaps between consecutive arrivals, in seconds. */
public interface IntervalGenerator {
  /** The next inter-arrival gap in seconds, or a negative number when a trace is exhausted. */
  double next();
}
