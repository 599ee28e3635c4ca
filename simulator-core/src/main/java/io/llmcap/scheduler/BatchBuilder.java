package io.llmcap.scheduler;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.Arrays;
import java.util.List;

/**
 * Collects requests and their token counts for the next batch without boxing; {@link
 * ReplicaScheduler#build} turns it into a batch, {@link ReplicaScheduler#newBatch} hands out an
 * empty one. Add each request at most once.
 */
public final class BatchBuilder {
  // Arrays, not a list, reused from batch to batch (ReplicaScheduler#newBatch): no boxing, no
  // allocation per iteration.
  private Request[] requests = new Request[64];
  private int[] tokens = new int[64];
  private int size;
  private int totalTokens;
  private int maxTokens;
  private int cachedTokens;
  private int hostTokens;
  private double loadSeconds;

  /** Empties the builder for the next batch, keeping its arrays. */
  void clear() {
    Arrays.fill(requests, 0, size, null);
    size = 0;
    totalTokens = 0;
    maxTokens = 0;
    cachedTokens = 0;
    hostTokens = 0;
    loadSeconds = 0;
  }

  /**
   * Adds {@code r}, which processes {@code n} tokens this iteration: a prefill chunk of at most its
   * remaining prompt, or 1 once its prefill is complete.
   */
  public void add(Request r, int n) {
    if (size == tokens.length) {
      tokens = Arrays.copyOf(tokens, size * 2);
      requests = Arrays.copyOf(requests, size * 2);
    }
    tokens[size] = n;
    requests[size++] = r;
    totalTokens += n;
    maxTokens = Math.max(maxTokens, n);
  }

  /**
   * Records a request admitted with {@code cached} prompt tokens from the prefix cache, {@code
   * fromHost} of them loaded back from the host-memory tier in {@code seconds}: loads run before
   * the batch's first stage computes.
   */
  public void addCacheHit(int cached, int fromHost, double seconds) {
    cachedTokens += cached;
    hostTokens += fromHost;
    loadSeconds += seconds;
  }

  /** What the prefix cache gave the requests added so far. */
  Batch.CacheHits cacheHits() {
    return cachedTokens == 0
        ? Batch.CacheHits.NONE
        : new Batch.CacheHits(cachedTokens, hostTokens, loadSeconds);
  }

  /** Requests added so far. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Sum of the token counts added so far. */
  public int totalTokens() {
    return totalTokens;
  }

  /** Largest single token count added so far. */
  public int maxTokens() {
    return maxTokens;
  }

  /** The requests added so far, in order. */
  public List<Request> requests() {
    return Arrays.asList(Arrays.copyOf(requests, size));
  }

  /** The {@code i}-th request added. */
  public Request request(int i) {
    return requests[i];
  }

  /** A copy of the requests, in order. */
  Request[] requestArray() {
    return Arrays.copyOf(requests, size);
  }

  /** A copy of the token counts, one per request. */
  public int[] tokens() {
    return Arrays.copyOf(tokens, size);
  }
}
