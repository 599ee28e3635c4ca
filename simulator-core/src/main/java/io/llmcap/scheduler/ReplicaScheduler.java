package io.llmcap.scheduler;

import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.KvLayout;
import io.llmcap.kv.KvManager;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forms iteration-level batches for one replica and asks its KV manager for blocks. Up to one batch
 * per pipeline stage is in flight; subclasses decide what goes into the next one.
 *
 * <p>The contract for a subclass (a plug-in scheduler, see {@link SchedulerProvider}):
 *
 * <ul>
 *   <li>Routed requests arrive in {@link #waiting}, in arrival order ({@link #add}); preempted ones
 *       come back at its head ({@link #evict}).
 *   <li>{@link #nextBatch} is called whenever a stage may start a batch; it returns the next batch
 *       ({@link #build} of a {@link BatchBuilder}) or null when nothing can run now. A request
 *       appears in at most one in-flight batch, and holds the KV blocks its tokens need in {@link
 *       #kv} while it runs ({@link PagedScheduler} does vLLM's block bookkeeping).
 *   <li>{@link #handleBatchEnd} is called when a batch leaves the last stage, after the engine has
 *       advanced its requests; it must free the blocks of completed requests and keep the others
 *       for later iterations ({@link #requeueUnfinished}).
 *   <li>Every request must eventually complete: a scheduler that leaves requests waiting with
 *       nothing in flight stalls the run, which fails with an error.
 * </ul>
 *
 * <p>Schedulers are single-threaded and have no clock; a policy that needs time can read the
 * requests' {@link Request#arrivedAt()} and the batches' completion times.
 */
public abstract class ReplicaScheduler {
  protected static final Comparator<Request> BY_ARRIVAL =
      Comparator.comparingDouble(Request::arrivedAt);

  /**
   * Rules of schedulers that reserve blocks for a whole {@code max_tokens} request up front ({@link
   * #admitWorstCase}): one such request must fit, and no watermark applies.
   */
  public static final SchedulerRules WORST_CASE =
      new SchedulerRules() {
        @Override
        public int minKvBlocks(SchedulerConfig s, MemoryPlan plan, int maxTokens) {
          return plan.maxBlocksPerSequence();
        }
      };

  protected final int replicaId;
  protected final int numStages;
  protected final SchedulerConfig config;
  protected final KvManager kv;
  protected final int blockSize;
  protected final int maxBlocksPerSequence;

  /** How blocks map to a request's tokens ({@link KvLayout#blocksFor}). */
  protected final KvLayout layout;

  /** Largest batch memory allows for worst-case reservations, capped by batch_size_cap. */
  protected final int maxBatchSize;

  /** Per-micro-batch cap for schedulers that split the batch cap over pipeline stages. */
  protected final int maxMicroBatchSize;

  protected final ArrayDeque<Request> waiting = new ArrayDeque<>();

  /**
   * Requests in {@link #waiting} that already hold KV blocks: disaggregated serving's transferred
   * requests (a scheduler that admits one decrements it).
   */
  protected int waitingWithKv;

  private final AtomicLong batchIds;
  private final BatchBuilder builder = new BatchBuilder();
  private int runningBatches;
  private int outstanding;
  private int preemptions;

  protected ReplicaScheduler(SchedulerContext ctx) {
    this.replicaId = ctx.replicaId();
    this.numStages = ctx.numStages();
    this.config = ctx.config();
    this.blockSize = ctx.memory().blockSize();
    this.kv = ctx.kvManagers().create(ctx.memory().numBlocks(), blockSize);
    this.maxBlocksPerSequence = ctx.memory().maxBlocksPerSequence();
    this.layout = ctx.memory().layout();
    this.maxBatchSize = Math.min(ctx.memory().requestSlots(), config.batchSizeCap());
    this.maxMicroBatchSize = Math.max(1, config.batchSizeCap() / numStages);
    this.batchIds = ctx.batchIds();
  }

  /** Queues a request the router sent here. */
  public final void add(Request r) {
    waiting.addLast(r);
    outstanding++;
    if (r.kvBlocks().holds()) {
      waitingWithKv++;
    }
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

  /** Called by the engine when {@code batch} completes its last stage. */
  public final void onBatchEnd(Batch batch) {
    runningBatches--;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.request(i).completed()) {
        outstanding--;
      }
    }
    handleBatchEnd(batch);
  }

  /** The next batch to run, or null when nothing can run now. */
  protected abstract Batch nextBatch();

  /** Frees completed requests' blocks and requeues the others (see the class comment). */
  protected abstract void handleBatchEnd(Batch batch);

  /**
   * An empty builder for the next batch. It is the same builder on every call (one per scheduler,
   * as a builder per iteration was the engine's hottest allocation): build one batch at a time with
   * it; {@link #build} copies what it holds.
   */
  protected final BatchBuilder newBatch() {
    builder.clear();
    return builder;
  }

  /** The batch the builder holds, or null when it is empty. */
  protected final Batch build(BatchBuilder b) {
    return b.isEmpty()
        ? null
        : new Batch(
            batchIds.getAndIncrement(), replicaId, b.requestArray(), b.tokens(), b.cacheHits());
  }

  /** Recompute preemption: the request gives back its blocks and waits at the queue's head. */
  protected final void evict(Request r) {
    r.restart();
    kv.free(r.kvBlocks());
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
        kv.free(r.kvBlocks());
      } else {
        running.addLast(r);
      }
    }
  }

  /**
   * Gives back the blocks that held speculative tokens the target rejected: after a verify step a
   * request keeps blocks for the KV it has, its processed tokens but the last emitted one (whose KV
   * the next step writes). Schedulers that reserve worst-case allocations up front do not call
   * this.
   */
  protected final void releaseRejected(Batch batch) {
    for (int i = 0; i < batch.size(); i++) {
      Request r = batch.request(i);
      if (batch.isVerify(i) && !r.completed() && r.kvBlocks().holds()) {
        int kept = r.processed() - 1;
        int surplus = r.kvBlocks().size() - layout.blocksFor(kept, kept);
        if (surplus > 0) {
          kv.release(r.kvBlocks(), surplus);
        }
      }
    }
  }

  /** Admits waiting requests while blocks for a whole {@code max_tokens} request are free. */
  protected final void admitWorstCase(BatchBuilder b) {
    while (!waiting.isEmpty() && b.size() < maxBatchSize && kv.canAllocate(maxBlocksPerSequence)) {
      Request r = waiting.pollFirst();
      kv.allocate(r.kvBlocks(), maxBlocksPerSequence);
      b.add(r, wholeStepTokens(r));
    }
  }

  /**
   * Tokens a request processes when scheduled whole: its prompt, or its decode step (one token, or
   * 1 + k under speculative decoding).
   */
  protected static int wholeStepTokens(Request r) {
    return r.prefillComplete() ? r.decodeStepTokens() : r.prefillTokens() - r.processed();
  }

  /** True when this scheduler takes prompt tokens from a prefix cache (reported in summaries). */
  public boolean cachesPrefixes() {
    return false;
  }

  /**
   * Prompt tokens of {@code r} this replica would take from its prefix cache if {@code r} were
   * admitted now: whole cached blocks of its prompt, in the GPU tier and then the host-memory tier,
   * at most what admission would take. What cache-aware routers score; reads, never changes, the
   * cache. 0 without prefix caching or prompt content.
   */
  public int cachedPrefixTokens(Request r) {
    return 0;
  }

  /** This replica's index, from 0. */
  public final int replicaId() {
    return replicaId;
  }

  /** This replica's KV manager (block accounting). */
  public final KvManager kv() {
    return kv;
  }

  /** Requests waiting to be admitted (new or preempted). */
  public final int numWaiting() {
    return waiting.size();
  }

  /** Requests routed here and not yet completed: waiting, running or preempted. */
  public final int numOutstanding() {
    return outstanding;
  }

  /** Requests preempted (evicted for recomputation) so far. */
  public final int preemptions() {
    return preemptions;
  }

  /** The largest batch: request slots that memory allows, capped by {@code batch_size_cap}. */
  public final int maxBatchSize() {
    return maxBatchSize;
  }

  /** True when nothing is routed here, in flight or holding KV blocks. */
  public final boolean isEmpty() {
    return outstanding == 0 && runningBatches == 0 && kv.holders() == 0;
  }
}
