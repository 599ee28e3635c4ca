package io.llmcap.request;

import io.llmcap.timing.BatchView;
import java.util.List;

/**
 * One iteration of one replica: the requests it runs and how many tokens each processes. Token
 * counts and KV lengths are captured at construction, so predictors see a fixed shape.
 */
public final class Batch implements BatchView {
  private final long id;
  private final int replicaId;
  private final Request[] requests;
  private final int[] numTokens;
  private final int[] processedBefore;
  private final boolean[] prefill;
  private final int totalTokens;
  private final int prefillTokens;
  private final int verifies;
  private final CacheHits hits;
  private double scheduledAt = Double.NaN;

  /**
   * What the prefix cache gave the requests this batch admitted.
   *
   * @param cachedTokens prompt tokens taken from the prefix cache (either tier)
   * @param hostTokens of those, tokens loaded back from the host-memory tier
   * @param loadSeconds the host-tier loads' time, added to the batch's first stage
   */
  public record CacheHits(int cachedTokens, int hostTokens, double loadSeconds) {
    public static final CacheHits NONE = new CacheHits(0, 0, 0);
  }

  public Batch(long id, int replicaId, List<Request> requests, int[] numTokens) {
    this(id, replicaId, requests.toArray(new Request[0]), numTokens);
  }

  /** Takes ownership of both arrays. */
  public Batch(long id, int replicaId, Request[] requests, int[] numTokens) {
    this(id, replicaId, requests, numTokens, CacheHits.NONE);
  }

  /** Takes ownership of both arrays; {@code hits}: the prefix cache's part in it. */
  public Batch(long id, int replicaId, Request[] requests, int[] numTokens, CacheHits hits) {
    this.hits = hits;
    if (requests.length != numTokens.length) {
      throw new IllegalArgumentException("one token count per request");
    }
    this.id = id;
    this.replicaId = replicaId;
    this.requests = requests;
    this.numTokens = numTokens;
    this.processedBefore = new int[numTokens.length];
    this.prefill = new boolean[numTokens.length];
    int total = 0;
    int pre = 0;
    int ver = 0;
    for (int i = 0; i < numTokens.length; i++) {
      Request r = this.requests[i];
      processedBefore[i] = r.processed();
      prefill[i] = !r.prefillComplete();
      total += numTokens[i];
      if (prefill[i]) {
        pre += numTokens[i];
      } else if (numTokens[i] > 1) {
        ver++;
      }
    }
    this.totalTokens = total;
    this.prefillTokens = pre;
    this.verifies = ver;
  }

  /** Engine only: the event loop calls this; schedulers and plug-ins must not. */
  public void onSchedule(double t) {
    scheduledAt = t;
    for (Request r : requests) {
      r.onBatchSchedule(t);
    }
  }

  public long id() {
    return id;
  }

  public int replicaId() {
    return replicaId;
  }

  public Request request(int i) {
    return requests[i];
  }

  public double scheduledAt() {
    return scheduledAt;
  }

  @Override
  public int size() {
    return requests.length;
  }

  @Override
  public int numTokens(int i) {
    return numTokens[i];
  }

  @Override
  public int processedBefore(int i) {
    return processedBefore[i];
  }

  @Override
  public boolean isPrefill(int i) {
    return prefill[i];
  }

  @Override
  public int totalTokens() {
    return totalTokens;
  }

  public int prefillTokens() {
    return prefillTokens;
  }

  /** Requests whose decode step verifies speculative tokens ({@link #isVerify}). */
  public int verifies() {
    return verifies;
  }

  public int decodeTokens() {
    return totalTokens - prefillTokens;
  }

  /** What the prefix cache gave the requests this batch admitted. */
  public CacheHits cacheHits() {
    return hits;
  }

  /** Seconds of host-tier KV loads before the first stage computes ({@link CacheHits}). */
  public double kvLoadSeconds() {
    return hits.loadSeconds();
  }
}
