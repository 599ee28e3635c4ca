package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.engine.Batch;
import io.llmcap.engine.KvCache;
import io.llmcap.engine.Request;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forms iteration-level batches for one replica and owns its KV cache. Up to one batch per pipeline
 * stage is in flight; subclasses decide what goes into the next one.
 */
public abstract class ReplicaScheduler {
  protected static final Comparator<Request> BY_ARRIVAL =
      Comparator.comparingDouble(Request::arrivedAt);

  protected final int replicaId;
  protected final int numStages;
  protected final SchedulerConfig config;
  protected final KvCache kv;
  protected final int blockSize;
  protected final int maxBlocksPerSequence;

  /** Largest batch memory allows for worst-case reservations, capped by batch_size_cap. */
  protected final int maxBatchSize;

  /** Per-micro-batch cap for schedulers that split the batch cap over pipeline stages. */
  protected final int maxMicroBatchSize;

  protected final ArrayDeque<Request> waiting = new ArrayDeque<>();
  private final AtomicLong batchIds;
  private int runningBatches;
  private int outstanding;
  private int preemptions;

  protected ReplicaScheduler(SchedulerContext ctx) {
    this.replicaId = ctx.replicaId();
    this.numStages = ctx.numStages();
    this.config = ctx.config();
    this.kv = new KvCache(ctx.memory().numBlocks());
    this.blockSize = ctx.memory().blockSize();
    this.maxBlocksPerSequence = ctx.memory().maxBlocksPerSequence();
    this.maxBatchSize = Math.min(ctx.memory().requestSlots(), config.batchSizeCap());
    this.maxMicroBatchSize = Math.max(1, config.batchSizeCap() / numStages);
    this.batchIds = ctx.batchIds();
  }

  public final void add(Request r) {
    waiting.addLast(r);
    outstanding++;
  }

  /** Forms batches until every pipeline stage has one in flight or nothing can run. */
  public final List<Batch> onSchedule() {
    List<Batch> batches = null;
    while (runningBatches < numStages) {
      Batch b = nextBatch();
      if (b == null) {
        break;
      }
      if (batches == null) {
        batches = new ArrayList<>(numStages);
      }
      batches.add(b);
      runningBatches++;
    }
    return batches == null ? List.of() : batches;
  }

  public final void onBatchEnd(Batch batch) {
    runningBatches--;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.request(i).completed()) {
        outstanding--;
      }
    }
    handleBatchEnd(batch);
  }

  protected abstract Batch nextBatch();

  protected abstract void handleBatchEnd(Batch batch);

  /** The batch the builder holds, or null when it is empty. */
  protected final Batch build(BatchBuilder b) {
    return b.isEmpty()
        ? null
        : new Batch(batchIds.getAndIncrement(), replicaId, b.requests(), b.tokens());
  }

  /** Recompute preemption: the request gives back its blocks and waits at the queue's head. */
  protected final void evict(Request r) {
    r.restart();
    kv.free(r);
    waiting.addFirst(r);
    preemptions++;
  }

  /**
   * Frees the blocks of the batch's completed requests and queues the others on {@code running} for
   * their next iteration.
   */
  protected final void requeueUnfinished(Batch batch, java.util.Deque<Request> running) {
    for (int i = 0; i < batch.size(); i++) {
      Request r = batch.request(i);
      if (r.completed()) {
        kv.free(r);
      } else {
        running.addLast(r);
      }
    }
  }

  /** Admits waiting requests while blocks for a whole {@code max_tokens} request are free. */
  protected final void admitWorstCase(BatchBuilder b) {
    while (!waiting.isEmpty() && b.size() < maxBatchSize && kv.canAllocate(maxBlocksPerSequence)) {
      Request r = waiting.pollFirst();
      kv.allocate(r, maxBlocksPerSequence);
      b.add(r, wholeStepTokens(r));
    }
  }

  /** Tokens a request processes when scheduled whole: its prompt, or one decode token. */
  protected static int wholeStepTokens(Request r) {
    return r.prefillComplete() ? 1 : r.prefillTokens() - r.processed();
  }

  public final int replicaId() {
    return replicaId;
  }

  public final KvCache kv() {
    return kv;
  }

  public final int numWaiting() {
    return waiting.size();
  }

  /** Requests routed here and not yet completed: waiting, running or preempted. */
  public final int numOutstanding() {
    return outstanding;
  }

  public final int preemptions() {
    return preemptions;
  }

  public final int maxBatchSize() {
    return maxBatchSize;
  }

  public final boolean isEmpty() {
    return outstanding == 0 && runningBatches == 0 && kv.holders() == 0;
  }
}
