package io.llmcap.timing;

/**
 * What a serving engine does to a step's execution that operator profiles, measured one eager
 * kernel at a time, do not show. Declared by the scheduler that models the engine ({@code
 * SchedulerRules#engineFeatures}); the predictors cost it.
 *
 * @param cudaGraphMaxTokens steps of at most this many tokens replay captured CUDA graphs, so their
 *     kernels pay no CPU launch latency (vLLM: {@code min(2 × max_num_seqs, 512,
 *     max_num_batched_tokens)}); 0 when the engine runs eagerly
 * @param customAllReduceMaxBytes tensor-parallel all-reduces of fewer bytes use a one- or two-shot
 *     all-reduce over peer memory instead of NCCL's ring (vLLM's custom all-reduce: 8 MiB); 0 for
 *     NCCL only
 */
public record EngineFeatures(int cudaGraphMaxTokens, long customAllReduceMaxBytes) {
  /** An engine that runs as the profiles were measured: eager kernels and NCCL. */
  public static final EngineFeatures NONE = new EngineFeatures(0, 0);

  public EngineFeatures {
    if (cudaGraphMaxTokens < 0 || customAllReduceMaxBytes < 0) {
      throw new IllegalArgumentException("negative engine feature limits");
    }
  }
}
