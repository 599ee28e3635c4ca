package io.llmcap.request;

import io.llmcap.kv.BlockHashes;
import io.llmcap.kv.BlockTable;
import io.llmcap.kv.PromptContent;
import io.llmcap.workload.RequestSpec;

/**
 * A request's mutable life inside the engine. Timestamps are simulated seconds; NaN means "not
 * yet". Token accounting follows the reference: the iteration that completes the prefill also
 * yields the first output token, so a request needs {@code decode - 1} decode iterations.
 *
 * <p>The lifecycle mutators ({@code on*}, {@code setSpeculate}, {@code setLastTokenAt}, {@code
 * nextVerifyStep}, {@code assignReplica}) are public only so that the engine package can call them;
 * schedulers, routers and plug-ins read a request and call {@link #restart()}, nothing else.
 */
public final class Request {
  private final RequestSpec spec;
  private final long id;
  private final double arrivedAt;
  private final int originalPrefill;
  private final int originalDecode;

  private int prefillTokens;
  private int decodeTokens;
  private int processed;
  private boolean prefillComplete;
  private boolean scheduled;
  private boolean completed;
  private int restarts;
  private long recomputedTokens;
  private int replicaId = -1;
  private int speculate;
  private long verifySteps;

  private double scheduledAt = Double.NaN;
  private double firstTokenAt = Double.NaN;
  private double completedAt = Double.NaN;
  private double lastTokenAt = Double.NaN;
  private double executionTime;
  private double modelExecutionTime;
  private double preemptedTime;
  private double latestStageCompletedAt = Double.NaN;
  private double latestIterationCompletedAt = Double.NaN;

  private long cachedTokens;
  private long hostCachedTokens;

  // content hashes of its full blocks, computed once for every replica that looks it up
  private long[] blockHashes;
  private int hashedBlockSize;

  // disaggregated serving: when the request reached its decode replica, and was first scheduled
  // there
  private double handedOverAt = Double.NaN;
  private double decodeScheduledAt = Double.NaN;

  // KV blocks, changed only by the replica's KvManager; kept here to avoid a map per replica.
  private final BlockTable kvBlocks = new BlockTable();

  public Request(RequestSpec spec) {
    this.spec = spec;
    this.id = spec.id();
    this.arrivedAt = spec.arrivedAt();
    this.originalPrefill = spec.prefillTokens();
    this.originalDecode = spec.decodeTokens();
    this.prefillTokens = spec.prefillTokens();
    this.decodeTokens = spec.decodeTokens();
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void onBatchSchedule(double t) {
    if (!scheduled && restarts == 0) {
      scheduledAt = t;
    }
    scheduled = true;
    if (!Double.isNaN(handedOverAt) && Double.isNaN(decodeScheduledAt)) {
      decodeScheduledAt = t;
    }
  }

  /**
   * Engine only: the request as a disaggregated prefill replica runs it: its prompt and one output
   * token (vLLM's proxy sends the prefill instance {@code max_tokens=1}), so that it completes
   * there when its prefill does. Its {@link #spec()} is the whole request's.
   */
  public static Request prefillPart(RequestSpec spec) {
    Request r = new Request(spec);
    r.decodeTokens = 1;
    return r;
  }

  /**
   * Engine only: the request as its decode replica receives it at {@code t}, after {@code prefill}
   * (its {@link #prefillPart}) completed on a prefill replica and its KV cache moved. Its history
   * (schedule time, execution, restarts, cache hits) carries over.
   *
   * @param firstTokenSent true when the prefill replica streamed the first token: the request
   *     resumes exactly where an aggregated one is after its prefill iteration; false when the
   *     decode replica produces it: as vLLM does, it recomputes the last prompt token, whose KV it
   *     received, to sample the first token ({@code Scheduler._update_waiting_for_remote_kv}), so
   *     it resumes with all but one prompt token computed
   */
  public static Request decodePart(
      RequestSpec spec, Request prefill, boolean firstTokenSent, double t) {
    Request r = new Request(spec);
    int prompt = prefill.prefillTokens;
    r.prefillTokens = prompt;
    r.decodeTokens = spec.prefillTokens() + spec.decodeTokens() - prompt;
    r.speculate = prefill.speculate;
    r.scheduled = true;
    r.scheduledAt = prefill.scheduledAt;
    r.executionTime = prefill.executionTime;
    r.modelExecutionTime = prefill.modelExecutionTime;
    r.preemptedTime = prefill.preemptedTime;
    r.restarts = prefill.restarts;
    r.recomputedTokens = prefill.recomputedTokens;
    r.cachedTokens = prefill.cachedTokens;
    r.hostCachedTokens = prefill.hostCachedTokens;
    r.handedOverAt = t;
    if (firstTokenSent) {
      r.processed = prompt + 1;
      r.prefillComplete = true;
      r.firstTokenAt = prefill.firstTokenAt;
      r.lastTokenAt = prefill.lastTokenAt;
      r.latestIterationCompletedAt = prefill.latestIterationCompletedAt;
    } else {
      r.processed = prompt - 1;
    }
    return r;
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void onStageSchedule(double t) {
    if (!Double.isNaN(latestStageCompletedAt)) {
      preemptedTime += t - latestStageCompletedAt;
    }
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void onStageEnd(double t, double execution, double modelExecution) {
    executionTime += execution;
    modelExecutionTime += modelExecution;
    latestStageCompletedAt = t;
  }

  /**
   * Advances the token counters after an iteration that processed {@code tokens} tokens.
   *
   * @return true when this iteration emitted an output token
   */
  public boolean onBatchEnd(double t, int tokens) {
    processed += tokens;
    latestIterationCompletedAt = t;
    if (processed > prefillTokens + decodeTokens) {
      throw new IllegalStateException("request " + id + " processed more tokens than it has");
    }
    boolean emitted = false;
    if (!prefillComplete && processed == prefillTokens) {
      prefillComplete = true;
      processed += 1;
      emitted = true;
      if (Double.isNaN(firstTokenAt)) {
        firstTokenAt = t;
      }
    } else if (prefillComplete) {
      emitted = true;
    }
    if (processed == prefillTokens + decodeTokens) {
      completed = true;
      completedAt = t;
    }
    return emitted;
  }

  /**
   * Preemption by recomputation: everything processed so far becomes the new prompt. Unlike the
   * reference, a request preempted in the middle of its prefill keeps its whole prompt as prompt.
   */
  public void restart() {
    recomputedTokens += prefillComplete ? processed - 1 : processed;
    int newPrefill = Math.max(processed, prefillTokens);
    decodeTokens = prefillTokens + decodeTokens - newPrefill;
    prefillTokens = newPrefill;
    processed = 0;
    prefillComplete = false;
    scheduled = false;
    restarts++;
  }

  /** Tokens proposed per decode step by speculative decoding; 0 decodes one token per step. */
  public void setSpeculate(int k) {
    speculate = k;
  }

  /** Counts a verify step and returns its index, from 0 (the acceptance draws' coordinate). */
  public long nextVerifyStep() {
    return verifySteps++;
  }

  /**
   * Tokens a decode step of this request processes: 1, or under speculative decoding 1 + k
   * proposed, at most the tokens it still has to generate (a step that accepts every proposal emits
   * one token more than it proposed).
   */
  public int decodeStepTokens() {
    int left = prefillTokens + decodeTokens - processed;
    return 1 + Math.max(0, Math.min(speculate, left - 1));
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public double lastTokenAt() {
    return lastTokenAt;
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void setLastTokenAt(double t) {
    lastTokenAt = t;
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void assignReplica(int replica) {
    replicaId = replica;
  }

  public long id() {
    return id;
  }

  public double arrivedAt() {
    return arrivedAt;
  }

  /** The request as its source emitted it (what the source is told about at completion). */
  public RequestSpec spec() {
    return spec;
  }

  /** The client that sent it, or {@link RequestSpec#NONE}. */
  public long clientId() {
    return spec.clientId();
  }

  /** The session (conversation) it belongs to, or {@link RequestSpec#NONE}. */
  public long sessionId() {
    return spec.sessionId();
  }

  /** What its prompt holds, for prefix caching; null when unknown. */
  public PromptContent promptContent() {
    return spec.prompt();
  }

  /**
   * Content hashes of the full blocks of {@code blockSize} tokens that its {@link #promptContent()}
   * covers, up to its prompt plus output tokens ({@link BlockHashes#of}): segments past the prompt
   * describe the reply, whose blocks a later turn that repeats it can find. Computed once per block
   * size and kept until {@link #dropBlockHashes}; null without content.
   */
  public long[] blockHashes(int blockSize) {
    PromptContent content = spec.prompt();
    if (content == null) {
      return null;
    }
    if (blockHashes == null || hashedBlockSize != blockSize) {
      blockHashes = BlockHashes.of(content, originalPrefill + originalDecode, blockSize);
      hashedBlockSize = blockSize;
    }
    return blockHashes;
  }

  /** Forgets the hashes {@link #blockHashes} kept (the request left its replica's cache). */
  public void dropBlockHashes() {
    blockHashes = null;
  }

  /** Prompt length as the workload gave it (unchanged by restarts). */
  public int originalPrefill() {
    return originalPrefill;
  }

  /** Output length as the workload gave it (unchanged by restarts). */
  public int originalDecode() {
    return originalDecode;
  }

  /** Current prompt length: grows when a restart turns generated tokens into prompt. */
  public int prefillTokens() {
    return prefillTokens;
  }

  public int decodeTokens() {
    return decodeTokens;
  }

  public int processed() {
    return processed;
  }

  public boolean prefillComplete() {
    return prefillComplete;
  }

  public boolean completed() {
    return completed;
  }

  public boolean scheduled() {
    return scheduled;
  }

  public int restarts() {
    return restarts;
  }

  /** Tokens processed by attempts that a restart threw away. */
  public long recomputedTokens() {
    return recomputedTokens;
  }

  /**
   * Takes the first {@code tokens} prompt tokens from the prefix cache: their KV is already there,
   * so they count as processed without being computed. Only before any token is processed.
   */
  public void skipCached(int tokens) {
    skipCached(tokens, 0);
  }

  /**
   * {@link #skipCached(int)}, of which the last {@code fromHost} tokens were loaded back from the
   * host-memory tier rather than found on the GPU.
   */
  public void skipCached(int tokens, int fromHost) {
    if (processed != 0
        || tokens < 0
        || tokens >= prefillTokens
        || fromHost < 0
        || fromHost > tokens) {
      throw new IllegalStateException(
          "cache hit of "
              + tokens
              + " tokens ("
              + fromHost
              + " from host) at "
              + processed
              + " of "
              + prefillTokens);
    }
    processed = tokens;
    cachedTokens += tokens;
    hostCachedTokens += fromHost;
  }

  /** Prompt tokens taken from the prefix cache (either tier), over all attempts. */
  public long cachedTokens() {
    return cachedTokens;
  }

  /** Of {@link #cachedTokens()}, those loaded back from the host-memory tier. */
  public long hostCachedTokens() {
    return hostCachedTokens;
  }

  public int replicaId() {
    return replicaId;
  }

  /** When a disaggregated request reached its decode replica; NaN otherwise. */
  public double handedOverAt() {
    return handedOverAt;
  }

  /** When its decode replica first scheduled it (disaggregated); NaN otherwise. */
  public double decodeScheduledAt() {
    return decodeScheduledAt;
  }

  public double scheduledAt() {
    return scheduledAt;
  }

  public double firstTokenAt() {
    return firstTokenAt;
  }

  public double completedAt() {
    return completedAt;
  }

  public double executionTime() {
    return executionTime;
  }

  public double modelExecutionTime() {
    return modelExecutionTime;
  }

  public double preemptedTime() {
    return preemptedTime;
  }

  public double latestIterationCompletedAt() {
    return latestIterationCompletedAt;
  }

  /** KV blocks held: a read-only view of {@link #kvBlocks()}. */
  public int allocatedBlocks() {
    return kvBlocks.size();
  }

  /** The KV blocks this request holds on its replica; its scheduler's KV manager changes them. */
  public BlockTable kvBlocks() {
    return kvBlocks;
  }
}
