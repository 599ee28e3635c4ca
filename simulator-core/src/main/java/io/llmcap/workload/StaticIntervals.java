package io.llmcap.workload;

/** Every request arrives at time 0. */
public final class StaticIntervals implements IntervalGenerator {
  @Override
  public double next() {
    return 0;
  }
}
