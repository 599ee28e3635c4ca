package io.llmcap.scheduler;

import io.llmcap.engine.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects requests and their token counts for the next batch without boxing; {@link
 * ReplicaScheduler#build} turns it into a batch. Add each request at most once.
 */
public final class BatchBuilder {
  private final List<Request> requests = new ArrayList<>();
  private int[] tokens = new int[16];
  private int totalTokens;
  private int maxTokens;

  /**
   * Adds {@code r}, which processes {@code n} tokens this iteration: a prefill chunk of at most its
   * remaining prompt, or 1 once its prefill is complete.
   */
  public void add(Request r, int n) {
    if (requests.size() == tokens.length) {
      tokens = Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[requests.size()] = n;
    requests.add(r);
    totalTokens += n;
    maxTokens = Math.max(maxTokens, n);
  }

  /** Requests added so far. */
  public int size() {
    return requests.size();
  }

  public boolean isEmpty() {
    return requests.isEmpty();
  }

  /** Sum of the token counts added so far. */
  public int totalTokens() {
    return totalTokens;
  }

  /** Largest single token count added so far. */
  public int maxTokens() {
    return maxTokens;
  }

  /** The requests added so far, in order (a live view). */
  public List<Request> requests() {
    return requests;
  }

  /** A copy of the token counts, one per request. */
  public int[] tokens() {
    return Arrays.copyOf(tokens, requests.size());
  }
}
