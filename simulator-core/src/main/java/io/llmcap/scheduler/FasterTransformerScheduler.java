package io.llmcap.scheduler;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayDeque;

/**
 * FasterTransformer: request-level (static) batching. A batch of new requests, each reserving KV
 * for {@code max_tokens}, runs iteration after iteration until all its requests finish; no new
 * request joins it. Unlike the reference, a request that finishes early frees its blocks at once
 * instead of leaking them.
 */
final class FasterTransformerScheduler extends ReplicaScheduler {
  private final ArrayDeque<Batch> unfinished = new ArrayDeque<>();

  FasterTransformerScheduler(SchedulerContext ctx) {
    super(ctx);
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    Batch previous = unfinished.pollFirst();
    if (previous != null) {
      for (int i = 0; i < previous.size(); i++) {
        Request r = previous.request(i);
        if (!r.completed()) {
          b.add(r, wholeStepTokens(r));
        }
      }
      return build(b);
    }
    admitWorstCase(b);
    return build(b);
  }

  @Override
  protected void handleBatchEnd(Batch batch) {
    boolean allDone = true;
    for (int i = 0; i < batch.size(); i++) {
      Request r = batch.request(i);
      if (r.completed()) {
        kv.free(r.kvBlocks());
      } else {
        allDone = false;
      }
    }
    if (!allDone) {
      unfinished.addLast(batch);
    }
  }
}
