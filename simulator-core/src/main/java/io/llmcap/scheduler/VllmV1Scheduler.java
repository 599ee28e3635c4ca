package io.llmcap.scheduler;

import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.kv.HostKvTier;
import io.llmcap.kv.KvLayout;
import io.llmcap.kv.KvManagerFactory;
import io.llmcap.kv.PrefixCachingBlockManager;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.timing.EngineFeatures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vLLM's V1 engine scheduler (vLLM 0.15.1, {@code vllm/v1/core/sched/scheduler.py} {@code
 * schedule}), step by step:
 *
 * <ul>
 *   <li>One token budget per step, {@code scheduler.chunk_size} (vLLM's {@code
 *       max_num_batched_tokens}), shared by decodes and chunked prefills.
 *   <li>Running requests first, in admission order: a decode takes one token (or its speculative
 *       verify chunk), an unfinished prefill the rest of its prompt, each cut to the budget left.
 *       When the KV blocks a request needs are not free, the most recently admitted running request
 *       is preempted (recomputation: its blocks are freed, it goes back to the head of the waiting
 *       queue), until they are or the request itself is the victim.
 *   <li>Then, only if nothing was preempted, waiting requests in arrival order while fewer than
 *       {@code scheduler.batch_size_cap} ({@code max_num_seqs}) run: each takes the leftover budget
 *       as a chunk; it needs blocks for that chunk only. Strict first come, first served: the first
 *       one that does not fit stops admission. No free-block watermark.
 *   <li>Automatic prefix caching ({@code scheduler.prefix_caching}): a new request takes the
 *       longest run of cached full blocks of its prompt, at most (prompt − 1) / block tokens, since
 *       the last token is always computed for its logits; full prompt blocks become findable when
 *       they are scheduled, so a request later in the same step can hit them. Unreferenced cached
 *       blocks are evicted least recently released first, a request's tail before its head. Blocks
 *       of generated tokens are cached too, as they fill, where the request's prompt content
 *       describes its output (a conversation's next turn repeats the reply).
 *   <li>Host-memory KV tier ({@code scheduler.cpu_offload_gib}, vLLM's OffloadingConnector with its
 *       LRU manager): every block a request computes is also stored in host memory ({@link
 *       HostKvTier}); a new request takes its GPU hit, then continues the cached prefix in host
 *       memory, and those blocks are loaded into newly allocated GPU blocks over the host link
 *       before the batch's first stage computes (docs/prefix-fleets.md says where this differs from
 *       vLLM's asynchronous loads).
 *   <li>Asynchronous scheduling ({@code scheduler.async_scheduling}, on by default since vLLM
 *       0.14): the engine forms step k + 1 while step k runs, so a request that arrives during step
 *       k is first scheduled in step k + 2, unless the engine was idle.
 *   <li>Disaggregated decode replicas: a waiting request that already holds KV blocks received them
 *       from a prefill replica (vLLM's KV connector allocates them before the load); it resumes
 *       from its computed tokens, with no prefix lookup ({@code _update_waiting_for_remote_kv}) and
 *       starts before new and preempted requests.
 * </ul>
 *
 * <p>KV capacity follows vLLM's start-up arithmetic ({@link VllmKvCapacity}) from {@code
 * cluster.memory_margin} = 1 − {@code gpu_memory_utilization}, unless {@code scheduler.num_blocks}
 * gives the count a real server logged.
 */
final class VllmV1Scheduler extends ReplicaScheduler {
  static final SchedulerRules RULES =
      new SchedulerRules() {
        @Override
        public int minKvBlocks(SchedulerConfig s, MemoryPlan plan, int maxTokens) {
          return plan.layout().peakBlocks(maxTokens, s.chunkSize());
        }

        @Override
        public TokenBudget tokenBudget(SchedulerConfig s) {
          return new TokenBudget("scheduler.chunk_size", s.chunkSize(), false);
        }

        @Override
        public MemoryPlan memoryPlan(
            SchedulerConfig s,
            Deployment d,
            double memoryMargin,
            int maxTokens,
            int blockSize,
            Deployment draft) {
          MemoryPlan llmcap =
              MemoryPlanner.plan(d, memoryMargin, maxTokens, blockSize, null, draft);
          int blocks;
          // Sliding-window layers keep their own KV-cache groups; a draft model's cache is
          // planned by llmcap's planner in blocks of every layer.
          KvLayout layout = draft == null ? VllmKvCapacity.layout(d, blockSize) : llmcap.layout();
          if (s.numBlocks() != null) {
            blocks = s.numBlocks();
          } else if (draft != null) {
            // vLLM sizes a draft model's cache with its own profiling pass; llmcap's planner,
            // which counts the draft's weights and KV, stands in for it.
            blocks = llmcap.numBlocks();
          } else {
            blocks =
                VllmKvCapacity.blocks(
                    d, 1 - memoryMargin, s.chunkSize(), s.batchSizeCap(), blockSize);
          }
          // V1 admits by free blocks, not by worst-case request slots.
          return new MemoryPlan(
              llmcap.availableBytes(),
              llmcap.paramBytesPerDevice(),
              llmcap.kvBytesPerRequest(),
              s.batchSizeCap(),
              blockSize,
              llmcap.maxBlocksPerSequence(),
              blocks,
              layout);
        }

        /**
         * CUDA graphs up to {@code min(2 × max_num_seqs, 512, max_num_batched_tokens)} tokens
         * ({@code vllm/config/vllm.py} {@code _set_cudagraph_sizes}); custom all-reduce below 8 MiB
         * ({@code custom_all_reduce.py} {@code max_size}).
         */
        @Override
        public EngineFeatures engineFeatures(SchedulerConfig s) {
          int graphs = Math.min(Math.min(2 * s.batchSizeCap(), 512), s.chunkSize());
          return new EngineFeatures(graphs, 8L << 20);
        }

        @Override
        public KvManagerFactory kvManagers() {
          return PrefixCachingBlockManager::new;
        }
      };

  /** Running requests in admission order (the preemption victim is the last). */
  private final List<Request> running = new ArrayList<>();

  /** Running requests in a batch that has not finished its last stage (pipeline parallelism). */
  private final Set<Request> inFlight = new HashSet<>();

  /** Prefix-cache state of the requests here whose prompt content is known. */
  private final Map<Request, Cached> cached = new IdentityHashMap<>();

  private final PrefixCachingBlockManager cache;

  /** The host-memory tier, or null. */
  private final HostKvTier host;

  private final double loadSecondsPerBlock;

  /** A request's content hashes and how far its blocks are registered and loading. */
  private static final class Cached {
    final long[] hashes;

    /** Leading blocks registered in the GPU cache (and offered to the host tier). */
    int registered;

    /** Host-tier blocks {@code loadFrom} … {@code loadFrom + loading − 1}, held while loading. */
    int loadFrom;

    int loading;

    Cached(long[] hashes) {
      this.hashes = hashes;
    }
  }

  /** Latest arrival the next step may admit (asynchronous scheduling); +∞ when idle. */
  private double admitUntil = Double.POSITIVE_INFINITY;

  VllmV1Scheduler(SchedulerContext ctx) {
    super(ctx);
    // Prefix caching of hybrid (sliding-window) KV groups is not modelled: such models recompute
    // their prompts.
    this.cache =
        config.prefixCaching() && kv instanceof PrefixCachingBlockManager p && !layout.windowed()
            ? p
            : null;
    HostTierPlan t = ctx.hostTier();
    this.host = cache != null && t != null ? new HostKvTier(t.blocks()) : null;
    this.loadSecondsPerBlock = t == null ? 0 : t.loadSecondsPerBlock();
  }

  /** The host-memory tier, or null without one (tests read it). */
  HostKvTier hostTier() {
    return host;
  }

  /**
   * Whole cached blocks of {@code r}'s prompt, GPU tier then host tier, at most (prompt − 1) /
   * block tokens: what {@link #admit} would take now.
   */
  @Override
  public int cachedPrefixTokens(Request r) {
    long[] h = cache == null ? null : r.blockHashes(blockSize);
    if (h == null) {
      return 0;
    }
    int cap = reusableBlocks(r);
    int gpu = cache.cachedPrefix(h, cap);
    return (gpu + hostRun(h, gpu, cap)) * blockSize;
  }

  /**
   * Whole blocks of a prompt admission may reuse: the last token is always computed, for logits.
   */
  private int reusableBlocks(Request r) {
    return (r.prefillTokens() - 1) / blockSize;
  }

  /**
   * Cached blocks of {@code h} the host tier holds after the GPU's {@code gpu}, up to {@code cap}.
   */
  private int hostRun(long[] h, int gpu, int cap) {
    return host == null ? 0 : host.run(h, gpu, Math.min(cap, h.length));
  }

  @Override
  public boolean cachesPrefixes() {
    return cache != null;
  }

  @Override
  protected Batch nextBatch() {
    BatchBuilder b = newBatch();
    int budget = config.chunkSize();
    boolean preempted = false;
    int i = 0;
    while (i < running.size() && budget > 0) {
      Request r = running.get(i);
      if (numStages > 1 && inFlight.contains(r)) {
        i++;
        continue;
      }
      int n = Math.min(stepTokens(r), budget);
      int need = layout.blocksFor(r.processed(), r.processed() + n) - r.kvBlocks().size();
      boolean fits = true;
      while (need > kv.free()) {
        Request victim = lastPreemptible();
        preempted = true;
        running.remove(victim);
        forget(victim);
        evict(victim);
        if (victim == r) {
          fits = false;
          break;
        }
      }
      if (!fits) {
        break;
      }
      if (need < 0) {
        // sliding-window blocks the window has left behind
        kv.release(r.kvBlocks(), -need);
      }
      kv.allocate(r.kvBlocks(), Math.max(0, need));
      // KV exists after this step for a prefill chunk's tokens, or for a decode's inputs
      cacheFullBlocks(r, r.prefillComplete() ? r.processed() : r.processed() + n);
      b.add(r, n);
      budget -= n;
      i++;
    }
    if (waitingWithKv > 0) {
      // transferred requests hold their KV: they start first, or the blocks they hold could keep
      // every other request waiting (even after a preemption, which stops other admissions)
      budget = admitTransferred(b, budget);
    }
    if (!preempted) {
      admit(b, budget);
    }
    if (b.isEmpty()) {
      admitUntil = Double.POSITIVE_INFINITY;
      return null;
    }
    if (numStages > 1) {
      for (int k = 0; k < b.size(); k++) {
        inFlight.add(b.request(k));
      }
    }
    return build(b);
  }

  /** Starts waiting requests with the budget left (see the class comment). */
  private void admit(BatchBuilder b, int budget) {
    // An idle engine schedules what has arrived; a busy one only what it saw one step ago.
    double until = b.isEmpty() || !config.asyncScheduling() ? Double.POSITIVE_INFINITY : admitUntil;
    while (!waiting.isEmpty() && budget > 0 && running.size() < config.batchSizeCap()) {
      Request r = waiting.peekFirst();
      if (r.arrivedAt() > until) {
        break;
      }
      Cached c = stateOf(r);
      long[] h = c == null ? null : c.hashes;
      int cap = reusableBlocks(r);
      int gpuHit = h == null ? 0 : cache.cachedPrefix(h, cap);
      int hostHit = h == null ? 0 : hostRun(h, gpuHit, cap);
      int hit = gpuHit + hostHit;
      int reused = hit * blockSize;
      int n = Math.min(r.prefillTokens() - reused, budget);
      // host hits are loaded into new GPU blocks
      int newBlocks = layout.blocksFor(reused, reused + n) - gpuHit;
      if (h == null ? !kv.canAllocate(newBlocks) : !cache.canAllocate(h, gpuHit, newBlocks)) {
        break;
      }
      waiting.pollFirst();
      if (hit > 0) {
        cache.allocateCached(r.kvBlocks(), h, gpuHit);
        r.skipCached(reused, hostHit * blockSize);
        b.addCacheHit(reused, hostHit * blockSize, hostHit * loadSecondsPerBlock);
      }
      kv.allocate(r.kvBlocks(), newBlocks);
      if (hostHit > 0) {
        host.pin(h, gpuHit, hostHit);
        c.loadFrom = gpuHit;
        c.loading = hostHit;
        // the loaded blocks are the GPU's again (they are in host memory already)
        cache.cacheFull(r.kvBlocks(), h, gpuHit, hit);
      }
      if (c != null) {
        c.registered = hit;
      }
      cacheFullBlocks(r, reused + n);
      b.add(r, n);
      running.add(r);
      budget -= n;
    }
  }

  /**
   * Starts the waiting requests that already hold their KV (received from a prefill replica), in
   * arrival order: they need at most a block more. Returns the budget left.
   */
  private int admitTransferred(BatchBuilder b, int budget) {
    Iterator<Request> it = waiting.iterator();
    while (waitingWithKv > 0
        && it.hasNext()
        && budget > 0
        && running.size() < config.batchSizeCap()) {
      Request r = it.next();
      if (!r.kvBlocks().holds()) {
        continue;
      }
      int n = Math.min(stepTokens(r), budget);
      int need = layout.blocksFor(r.processed(), r.processed() + n) - r.kvBlocks().size();
      if (!kv.canAllocate(Math.max(0, need))) {
        continue;
      }
      it.remove();
      waitingWithKv--;
      kv.allocate(r.kvBlocks(), Math.max(0, need));
      b.add(r, n);
      running.add(r);
      budget -= n;
    }
    return budget;
  }

  @Override
  protected void handleBatchEnd(Batch batch) {
    admitUntil = batch.scheduledAt();
    boolean completed = false;
    for (int i = 0; i < batch.size(); i++) {
      Request r = batch.request(i);
      if (numStages > 1) {
        inFlight.remove(r);
      }
      Cached c = known(r);
      if (c != null && c.loading > 0) {
        host.unpin(c.hashes, c.loadFrom, c.loading);
        c.loading = 0;
      }
      if (r.completed()) {
        kv.free(r.kvBlocks());
        if (c != null) {
          cached.remove(r);
          r.dropBlockHashes();
        }
        completed = true;
      }
    }
    if (completed) {
      running.removeIf(Request::completed);
    }
    releaseRejected(batch);
  }

  /** Tokens a running request wants this step: the rest of its prompt, or its decode step. */
  private static int stepTokens(Request r) {
    return r.prefillComplete() ? r.decodeStepTokens() : r.prefillTokens() - r.processed();
  }

  /** The most recently admitted running request that is not in flight on another stage. */
  private Request lastPreemptible() {
    for (int k = running.size() - 1; k >= 0; k--) {
      if (numStages == 1 || !inFlight.contains(running.get(k))) {
        return running.get(k);
      }
    }
    throw new IllegalStateException("no running request to preempt");
  }

  /** The request's prefix-cache state if it has one already. */
  private Cached known(Request r) {
    return cache == null || r.promptContent() == null ? null : cached.get(r);
  }

  /** The request's prefix-cache state, or null without prefix caching or prompt content. */
  private Cached stateOf(Request r) {
    // most requests carry no content: no map lookup on every step of theirs
    if (cache == null || r.promptContent() == null) {
      return null;
    }
    Cached c = cached.get(r);
    if (c == null) {
      long[] h = r.blockHashes(blockSize);
      if (h == null) {
        return null;
      }
      c = new Cached(h);
      cached.put(r, c);
    }
    return c;
  }

  /**
   * Makes the request's blocks that are full after {@code tokens} tokens findable, and stores the
   * newly full ones in the host tier (vLLM's connector offloads every block it sees computed).
   */
  private void cacheFullBlocks(Request r, int tokens) {
    Cached c = stateOf(r);
    if (c == null) {
      return;
    }
    int full = Math.min(tokens / blockSize, c.hashes.length);
    if (full <= c.registered) {
      return;
    }
    cache.cacheFull(r.kvBlocks(), c.hashes, c.registered, full);
    if (host != null) {
      for (int i = c.registered; i < full; i++) {
        host.store(c.hashes[i]);
      }
    }
    c.registered = full;
  }

  /** A preempted request's blocks are freed: it registers them again when it resumes. */
  private void forget(Request r) {
    Cached c = known(r);
    if (c != null) {
      if (c.loading > 0) {
        host.unpin(c.hashes, c.loadFrom, c.loading);
        c.loading = 0;
      }
      c.registered = 0;
    }
  }
}
