package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * LightLLM: token-granular KV (block size 1, PP 1). A prompt is admitted only if, with every
 * running request decoding to its end, peak KV use stays within capacity (LightLLM's future-memory
 * check), so decodes never run out of memory. Decodes run as one batch of all running requests;
 * after {@code max_waiting_iters} decode iterations a prefill batch gets a turn.
 */
final class LightLlmScheduler extends ReplicaScheduler {
  /** Per-token KV, no pipeline, prompts whole within {@code max_tokens_in_batch}. */
  static final SchedulerRules RULES =
      new SchedulerRules() {
        @Override
        public int blockSize(SchedulerConfig s) {
          return 1; // LightLLM manages the KV cache per token
        }

        @Override
        public boolean supportsPipelineParallel() {
          return false;
        }

        @Override
        public int minKvBlocks(SchedulerConfig s, MemoryPlan plan, int maxTokens) {
          return maxTokens + 1; // the future-memory check counts the first output token too
        }

        @Override
        public TokenBudget tokenBudget(SchedulerConfig s) {
          return VllmScheduler.RULES.tokenBudget(s);
        }
      };

  private final ArrayDeque<Request> running = new ArrayDeque<>();
  private int waitingIters;
  private long[] used = new long[16];
  private long[] remaining = new long[16];
  private int tracked;

  LightLlmScheduler(SchedulerContext ctx) {
    super(ctx);
  }

  @Override
  protected Batch nextBatch() {
    if (running.isEmpty()) {
      Batch b = prefillBatch();
      if (b != null) {
        waitingIters = 0;
      }
      return b;
    }
    if (waitingIters >= config.maxWaitingIters()) {
      waitingIters = 0;
      Batch b = prefillBatch();
      if (b != null) {
        return b;
      }
    }
    if (kv.allocated() + running.size() > kv.numBlocks()) {
      throw new IllegalStateException(
          "lightllm admitted more requests than its future-memory check allows");
    }
    waitingIters++;
    BatchBuilder b = newBatch();
    // the future-memory check guarantees one token each; speculative tokens take what is spare
    int spare = kv.free() - running.size();
    while (!running.isEmpty()) {
      Request r = running.pollFirst();
      int extra = Math.min(r.decodeStepTokens() - 1, spare);
      spare -= extra;
      kv.allocate(r.kvBlocks(), 1 + extra);
      b.add(r, 1 + extra);
    }
    return build(b);
  }

  private Batch prefillBatch() {
    tracked = 0;
    for (Request r : running) {
      track(r);
    }
    BatchBuilder b = newBatch();
    while (!waiting.isEmpty()) {
      Request r = waiting.peekFirst();
      int next = wholeStepTokens(r);
      if (b.totalTokens() + next > config.maxTokensInBatch()
          || kv.holders() == config.batchSizeCap()
          || b.size() == maxMicroBatchSize
          || !fitsFuture(r)) {
        break;
      }
      waiting.pollFirst();
      kv.allocate(r.kvBlocks(), r.prefillTokens());
      b.add(r, next);
    }
    return build(b);
  }

  /** Adds {@code r} to the tracked set and checks the peak of future KV use. */
  private boolean fitsFuture(Request r) {
    track(r);
    Integer[] order = new Integer[tracked];
    for (int i = 0; i < tracked; i++) {
      order[i] = i;
    }
    // stable sort by remaining tokens, longest first
    Arrays.sort(order, (a, c) -> Long.compare(remaining[c], remaining[a]));
    long cumUsed = 0;
    long peak = 0;
    for (int i = 0; i < tracked; i++) {
      cumUsed += used[order[i]];
      peak = Math.max(peak, remaining[order[i]] * (i + 1) + cumUsed);
    }
    return peak < kv.numBlocks();
  }

  private void track(Request r) {
    if (tracked == used.length) {
      used = Arrays.copyOf(used, tracked * 2);
      remaining = Arrays.copyOf(remaining, tracked * 2);
    }
    long u;
    long rem;
    if (r.scheduled()) {
      u = r.processed();
      rem = r.decodeTokens() - Math.max(0, r.processed() - r.prefillTokens()) - 1;
    } else {
      u = r.prefillTokens() + 1;
      rem = r.decodeTokens() - 2;
    }
    used[tracked] = u;
    remaining[tracked] = Math.max(0, rem);
    tracked++;
  }

  @Override
  protected void handleBatchEnd(Batch batch) {
    releaseRejected(batch);
    requeueUnfinished(batch, running);
  }
}
