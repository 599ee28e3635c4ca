package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * Sarathi-Serve: stall-free batching with chunked prefill. Each iteration has a token budget of
 * {@code chunk_size}: running decodes first (one token each, or their speculative verify chunk,
 * shortened to the budget), then in-flight prefills continue with a chunk, then new prompts start
 * with whatever budget is left. Unlike the reference, decodes also respect the budget, so no
 * iteration ever exceeds it.
 */
final class SarathiScheduler extends PagedScheduler {
  /** Paged KV; prompts are chunked, so a batch never exceeds {@code chunk_size} tokens. */
  static final SchedulerRules RULES =
      new SchedulerRules() {
        @Override
        public TokenBudget tokenBudget(SchedulerConfig s) {
          return new TokenBudget("scheduler.chunk_size", s.chunkSize(), false);
        }
      };

  // per-iteration scratch lists, emptied at the start of each
  private final List<Request> skipped = new ArrayList<>();
  private final List<Request> runningPrefills = new ArrayList<>();

  SarathiScheduler(SchedulerContext ctx) {
    super(ctx);
  }

  private int nextTokens(Request r, int batchTokens) {
    int budget = config.chunkSize() - batchTokens;
    if (r.prefillComplete()) {
      return Math.max(0, Math.min(r.decodeStepTokens(), budget));
    }
    return Math.max(0, Math.min(r.prefillTokens() - r.processed(), budget));
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    skipped.clear();
    runningPrefills.clear();
    while (!running.isEmpty() && b.size() < maxMicroBatchSize) {
      Request r = running.pollFirst();
      if (!r.prefillComplete()) {
        runningPrefills.add(r);
        continue;
      }
      int next = nextTokens(r, b.totalTokens());
      if (next == 0) {
        skipped.add(r);
        continue;
      }
      if (makeRoom(r, next)) {
        allocateRequest(r, next);
        b.add(r, next);
      }
    }
    for (Request r : runningPrefills) {
      int next = nextTokens(r, b.totalTokens());
      if (next == 0 || b.size() == maxMicroBatchSize) {
        skipped.add(r);
      } else {
        b.add(r, next);
      }
    }
    sortRunning(skipped);
    while (!waiting.isEmpty()) {
      if (kv.holders() == config.batchSizeCap() || b.size() == maxMicroBatchSize) {
        break;
      }
      Request head = waiting.peekFirst();
      if (!canAllocateRequest(head)) {
        break;
      }
      int next = nextTokens(head, b.totalTokens());
      if (next == 0) {
        break;
      }
      waiting.pollFirst();
      allocateRequest(head);
      b.add(head, next);
    }
    return build(b);
  }
}
