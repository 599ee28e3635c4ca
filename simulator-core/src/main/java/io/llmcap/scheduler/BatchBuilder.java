package io.llmcap.scheduler;

import io.llmcap.engine.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Collects requests and their token counts for the next batch without boxing. */
final class BatchBuilder {
  private final List<Request> requests = new ArrayList<>();
  private int[] tokens = new int[16];
  private int totalTokens;
  private int maxTokens;

  void add(Request r, int n) {
    if (requests.size() == tokens.length) {
      tokens = Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[requests.size()] = n;
    requests.add(r);
    totalTokens += n;
    maxTokens = Math.max(maxTokens, n);
  }

  int size() {
    return requests.size();
  }

  boolean isEmpty() {
    return requests.isEmpty();
  }

  int totalTokens() {
    return totalTokens;
  }

  int maxTokens() {
    return maxTokens;
  }

  List<Request> requests() {
    return requests;
  }

  int[] tokens() {
    return Arrays.copyOf(tokens, requests.size());
  }
}
