package io.llmcap.engine;

import io.llmcap.request.Request;

/**
 * The cost of moving a request, with its KV cache, from one replica to another (for example from a
 * prefill pool to a decode pool). The engine delays the request's arrival at the target replica by
 * this cost.
 */
@FunctionalInterface
public interface KvTransfer {
  /** Moves cost nothing. */
  KvTransfer FREE = (r, from, to) -> 0;

  /**
   * Seconds from leaving {@code from} to arriving at {@code to}.
   *
   * @param from the pool the request leaves, or null when it held no replica
   */
  double seconds(Request request, Pool from, Pool to);
}
