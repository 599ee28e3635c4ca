package io.llmcap.engine;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.scheduler.MemoryPlan;
import java.util.List;

/**
 * Everything a finished run produced. {@code wallSeconds} is host time, never written to files.
 * {@code deployment}, {@code memory}, {@code predictor} and {@code maxBatchSize} describe the first
 * pool (the only one in a single-pool run); {@code pools} describes each, and {@code
 * kvBlocksPerReplica} lists every replica of every pool by replica id.
 */
public record SimulationResult(
    SimulationConfig config,
    Deployment deployment,
    MemoryPlan memory,
    String predictor,
    MetricsCollector metrics,
    List<Integer> kvBlocksPerReplica,
    int maxBatchSize,
    long requestsArrived,
    long events,
    long preemptions,
    double endTime,
    double wallSeconds,
    List<Pool> pools) {

  /** True when the run's requests speculated ({@code speculative} method set and k ≥ 1). */
  public boolean speculative() {
    var s = config.speculative();
    return s != null && !Speculation.NONE.equals(s.method()) && s.numSpeculativeTokens() > 0;
  }

  /** True when a replica's scheduler took prompt tokens from a prefix cache. */
  public boolean cachesPrefixes() {
    for (Pool p : pools) {
      for (var rs : p.replicas()) {
        if (rs.cachesPrefixes()) {
          return true;
        }
      }
    }
    return false;
  }
}
