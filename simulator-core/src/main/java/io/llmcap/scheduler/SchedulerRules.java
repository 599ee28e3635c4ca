package io.llmcap.scheduler;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvManagerFactory;
import io.llmcap.timing.EngineFeatures;

/**
 * What a kind of scheduler requires of the rest of the run, declared by its {@link
 * SchedulerProvider}: KV block size, pipeline support, the fewest KV blocks it can run with, its
 * per-batch token budget (which also bounds the tokens the predictors tabulate) and its KV manager.
 * The defaults fit a vLLM-style paged scheduler ({@link PagedScheduler}); a scheduler overrides
 * what differs. Nothing outside this package decides these by scheduler name.
 */
public interface SchedulerRules {
  /** Tokens per KV block: {@code scheduler.block_size} unless the scheduler fixes it. */
  default int blockSize(SchedulerConfig s) {
    return s.blockSize();
  }

  /** Whether the scheduler runs replicas with more than one pipeline stage. */
  default boolean supportsPipelineParallel() {
    return true;
  }

  /**
   * The fewest KV blocks that let one request of {@code maxTokens} tokens run: by default its
   * blocks plus the watermark ({@code watermark_fraction} of the capacity) a new request leaves.
   */
  default int minKvBlocks(SchedulerConfig s, MemoryPlan plan, int maxTokens) {
    return (maxTokens + plan.blockSize() - 1) / plan.blockSize()
        + (int) (s.watermarkFraction() * plan.numBlocks());
  }

  /**
   * The most tokens one batch holds, or null when only the requests' lengths bound it; the
   * prediction tables reach at least this far.
   */
  default TokenBudget tokenBudget(SchedulerConfig s) {
    return null;
  }

  /**
   * The KV capacity of one replica: by default llmcap's memory planner ({@link MemoryPlanner}); a
   * scheduler that models an engine's own start-up arithmetic overrides it.
   *
   * @param draft the speculative draft model's deployment, or null
   */
  default MemoryPlan memoryPlan(
      SchedulerConfig s,
      Deployment d,
      double memoryMargin,
      int maxTokens,
      int blockSize,
      Deployment draft) {
    return MemoryPlanner.plan(d, memoryMargin, maxTokens, blockSize, s.numBlocks(), draft);
  }

  /**
   * What the modelled engine does to a step's execution beyond the profiled kernels (CUDA graphs,
   * custom all-reduce); the predictors cost it. None for the reference's schedulers.
   */
  default EngineFeatures engineFeatures(SchedulerConfig s) {
    return EngineFeatures.NONE;
  }

  /** Makes each replica's KV manager. */
  default KvManagerFactory kvManagers() {
    return KvManagerFactory.PLAIN;
  }
}
