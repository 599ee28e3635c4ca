package io.llmcap.predictors.table;

import io.llmcap.config.SimulationConfig;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.scheduler.TokenBudget;

/**
 * How far the prediction tables reach (the reference's {@code prediction_max_*} settings): total
 * batch tokens for the token-level ops, decode batch size, KV length, and prefill chunk. Keys
 * beyond them are extrapolated, never refused.
 */
public record TableLimits(int maxTokens, int maxBatchSize, int maxKv, int maxChunk) {
  /** The reference's settings for 16k contexts (its README's Llama-3 example). */
  public static final TableLimits DEFAULT = new TableLimits(16384, 512, 16384, 16384);

  public TableLimits {
    if (maxTokens < 1 || maxBatchSize < 1 || maxKv < 0 || maxChunk < 1) {
      throw new IllegalArgumentException("table limits must be positive: " + this);
    }
  }

  /**
   * Limits that cover a run: requests are at most {@code workload.max_tokens} long, so that bounds
   * KV lengths and prefill chunks; batches hold at most {@code batch_size_cap} requests; a batch's
   * tokens stay within the larger of the request limit and the scheduler's token budget ({@link
   * io.llmcap.scheduler.SchedulerRules#tokenBudget}).
   */
  public static TableLimits of(SimulationConfig config) {
    int request = config.workload().maxTokens();
    var s = config.scheduler();
    TokenBudget declared = Schedulers.rules(s.type()).tokenBudget(s);
    int budget = declared == null ? request : declared.tokens();
    return new TableLimits(Math.max(request, budget), s.batchSizeCap(), request, request);
  }
}
