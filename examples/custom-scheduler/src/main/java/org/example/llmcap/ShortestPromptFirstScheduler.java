package org.example.llmcap;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.scheduler.BatchBuilder;
import io.llmcap.scheduler.PagedScheduler;
import io.llmcap.scheduler.SchedulerContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shortest-prompt-first with starvation protection, on vLLM's batching: prefill-only batches of new
 * requests within {@code max_tokens_in_batch} (padded), decode batches of running requests when no
 * prompt can start, paged KV accounting and preemption by recomputation (all from {@link
 * PagedScheduler}).
 *
 * <p>Only the admission order differs from vLLM's FCFS: the waiting request with the shortest
 * remaining prompt starts first (ties by arrival). Each time a request starts while an
 * earlier-arrived one keeps waiting, the earlier one is overtaken once; a request overtaken {@code
 * max_overtakes} times is starving, and starving requests start before any other, oldest first. So
 * no request is ever overtaken more than {@code max_overtakes} times.
 */
final class ShortestPromptFirstScheduler extends PagedScheduler {
  private final int maxOvertakes;
  private final Map<Request, Integer> overtaken = new HashMap<>();

  ShortestPromptFirstScheduler(SchedulerContext ctx, int maxOvertakes) {
    super(ctx);
    this.maxOvertakes = maxOvertakes;
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    for (Request r = pick(); r != null; r = pick()) {
      int next = wholeStepTokens(r);
      // the head waits rather than be skipped, or the starvation bound would not hold
      if (!canAllocateRequest(r)
          || (long) (b.size() + 1) * Math.max(b.maxTokens(), next) > config.maxTokensInBatch()
          || kv.holders() == config.batchSizeCap()
          || b.size() == maxMicroBatchSize) {
        break;
      }
      waiting.remove(r);
      overtaken.remove(r);
      for (Request q : waiting) {
        if (q.arrivedAt() < r.arrivedAt() || (q.arrivedAt() == r.arrivedAt() && q.id() < r.id())) {
          overtaken.merge(q, 1, Integer::sum);
        }
      }
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

  /** The oldest starving request, else the shortest remaining prompt; null when none waits. */
  private Request pick() {
    Request starving = null;
    Request shortest = null;
    for (Request q : waiting) {
      if (overtaken.getOrDefault(q, 0) >= maxOvertakes) {
        if (starving == null || earlier(q, starving)) {
          starving = q;
        }
      } else if (shortest == null || shorter(q, shortest)) {
        shortest = q;
      }
    }
    return starving != null ? starving : shortest;
  }

  private static boolean earlier(Request a, Request b) {
    return a.arrivedAt() < b.arrivedAt() || (a.arrivedAt() == b.arrivedAt() && a.id() < b.id());
  }

  private static boolean shorter(Request a, Request b) {
    int la = a.prefillTokens() - a.processed();
    int lb = b.prefillTokens() - b.processed();
    return la < lb || (la == lb && earlier(a, b));
  }
}
