package io.llmcap.scheduler;

import io.llmcap.kv.KvLayout;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;

/**
 * vLLM-style paged KV accounting shared by vLLM and Sarathi-Serve: a new request reserves blocks
 * for its whole prompt and must leave the watermark ({@code watermark_fraction}) free; a running
 * request grows one block at a time; when memory runs out the latest-arrived running request is
 * preempted by recomputation. A good base for plug-in schedulers that only change which requests
 * run: admit with {@link #canAllocateRequest} and {@link #allocateRequest}, make room for a running
 * request with {@link #makeRoom}, and keep unfinished requests in {@link #running} (done by {@link
 * #handleBatchEnd}).
 */
public abstract class PagedScheduler extends ReplicaScheduler {
  /** Running requests between iterations (the reference's "preempted requests"). */
  protected final ArrayDeque<Request> running = new ArrayDeque<>();

  private final int watermarkBlocks;

  protected PagedScheduler(SchedulerContext ctx) {
    super(ctx);
    this.watermarkBlocks = (int) (config.watermarkFraction() * kv.numBlocks());
  }

  /**
   * Whether {@code r} can get its next KV blocks: its whole prompt, above the watermark, when it
   * holds none; else the blocks of its next whole decode step ({@link Request#decodeStepTokens},
   * more than one token under speculative decoding).
   */
  protected final boolean canAllocateRequest(Request r) {
    return canAllocateRequest(r, stepTokens(r));
  }

  /**
   * Whether {@code r} can get the KV blocks of a step that processes {@code tokens} tokens; for a
   * request without blocks, its whole prompt above the watermark.
   */
  protected final boolean canAllocateRequest(Request r, int tokens) {
    if (!r.kvBlocks().holds()) {
      int needed = ceilDiv(r.prefillTokens(), blockSize);
      return kv.numBlocks() - kv.allocated() - needed >= watermarkBlocks;
    }
    // as vLLM does, a running request needs one free block even when its last block has room
    return kv.free() >= Math.max(1, growth(r, tokens));
  }

  /** Allocates what {@link #canAllocateRequest} checked; call it before adding {@code r}. */
  protected final void allocateRequest(Request r) {
    allocateRequest(r, stepTokens(r));
  }

  /** Allocates what {@link #canAllocateRequest(Request, int)} checked for {@code tokens}. */
  protected final void allocateRequest(Request r, int tokens) {
    if (!r.kvBlocks().holds()) {
      kv.allocate(r.kvBlocks(), ceilDiv(r.prefillTokens(), blockSize));
      return;
    }
    int required = growth(r, tokens);
    if (required > ceilDiv(tokens, blockSize)) {
      throw new IllegalStateException(
          "request " + r.id() + " outgrew its KV blocks by " + required + " blocks");
    }
    if (required > 0) {
      kv.allocate(r.kvBlocks(), required);
    }
  }

  /**
   * Blocks {@code r} lacks for a step of {@code tokens}: room for its processed tokens and the
   * step's extra ones (the KV of the token a decode emits is written by the next step, as in vLLM).
   */
  private int growth(Request r, int tokens) {
    return Math.max(0, ceilDiv(r.processed() + tokens - 1, blockSize) - r.kvBlocks().size());
  }

  private static int stepTokens(Request r) {
    return r.prefillComplete() ? r.decodeStepTokens() : 1;
  }

  /**
   * Makes room for the next whole step of {@code r} by evicting the latest-arrived other running
   * request; evicts {@code r} itself when nobody else is left.
   *
   * @return false when {@code r} was evicted
   */
  protected final boolean makeRoom(Request r) {
    return makeRoom(r, stepTokens(r));
  }

  /** As {@link #makeRoom(Request)}, for a step of {@code tokens} tokens. */
  protected final boolean makeRoom(Request r, int tokens) {
    while (!canAllocateRequest(r, tokens)) {
      if (running.isEmpty()) {
        evict(r);
        return false;
      }
      evict(running.pollLast());
    }
    return true;
  }

  /** Puts {@code front} back into {@link #running} and orders it all by arrival. */
  protected final void sortRunning(Collection<Request> front) {
    Request[] all = new Request[front.size() + running.size()];
    int i = 0;
    for (Request r : front) {
      all[i++] = r;
    }
    for (Request r : running) {
      all[i++] = r;
    }
    Arrays.sort(all, BY_ARRIVAL);
    // refilled, not replaced: a new deque sized to what it holds now grows again as requests return
    running.clear();
    for (Request r : all) {
      running.addLast(r);
    }
  }

  @Override
  protected void handleBatchEnd(Batch batch) {
    releaseRejected(batch);
    requeueUnfinished(batch, running);
  }

  /** ⌈a / b⌉ for a > −b (b a block size). */
  protected static int ceilDiv(int a, int b) {
    return KvLayout.wholeBlocks(a + b - 1, b);
  }
}
