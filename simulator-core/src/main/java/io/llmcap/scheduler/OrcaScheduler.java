package io.llmcap.scheduler;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayDeque;

/**
 * Orca: iteration-level scheduling with worst-case KV reservation. A request is admitted only if
 * blocks for {@code max_tokens} are free, and keeps them until it completes, so it is never
 * preempted. Running requests decode and new prompts prefill in the same batch.
 */
final class OrcaScheduler extends ReplicaScheduler {
  private final ArrayDeque<Request> running = new ArrayDeque<>();

  OrcaScheduler(SchedulerContext ctx) {
    super(ctx);
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    while (!running.isEmpty() && b.size() < maxBatchSize) {
      Request r = running.pollFirst();
      b.add(r, wholeStepTokens(r));
    }
    admitWorstCase(b);
    return build(b);
  }

  @Override
  protected void handleBatchEnd(Batch batch) {
    requeueUnfinished(batch, running);
  }
}
