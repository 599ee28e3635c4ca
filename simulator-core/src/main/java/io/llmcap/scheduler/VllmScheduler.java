package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.List;

/**
 * vLLM (v0) semantics: prefill-first. New requests form a prefill-only batch within a padded token
 * budget ({@code batch size × longest prompt ≤ max_tokens_in_batch}); only when no prompt can start
 * does a decode batch of running requests run. Prefill and decode never mix.
 */
final class VllmScheduler extends PagedScheduler {
  /** Paged KV; a prompt runs whole, so {@code max_tokens_in_batch} must hold the longest. */
  static final SchedulerRules RULES =
      new SchedulerRules() {
        @Override
        public TokenBudget tokenBudget(SchedulerConfig s) {
          return new TokenBudget("scheduler.max_tokens_in_batch", s.maxTokensInBatch(), true);
        }
      };

  VllmScheduler(SchedulerContext ctx) {
    super(ctx);
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    while (!waiting.isEmpty()) {
      Request r = waiting.peekFirst();
      int next = wholeStepTokens(r);
      if (!canAllocateRequest(r)) {
        break;
      }
      if ((long) (b.size() + 1) * Math.max(b.maxTokens(), next) > config.maxTokensInBatch()) {
        break;
      }
      if (kv.holders() == config.batchSizeCap() || b.size() == maxMicroBatchSize) {
        break;
      }
      waiting.pollFirst();
      allocateRequest(r);
      b.add(r, next);
    }
    if (!b.isEmpty()) {
      return build(b);
    }
    sortRunning(List.of());
    while (!running.isEmpty() && b.size() < maxMicroBatchSize) {
      Request r = running.pollFirst();
      if (makeRoom(r)) {
        allocateRequest(r);
        b.add(r, wholeStepTokens(r));
      }
    }
    return build(b);
  }
}
