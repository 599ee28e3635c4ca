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

  /**
   * Seconds to move {@code request}'s KV from replica {@code fromReplica} of {@code from} to
   * replica {@code toReplica} of {@code to}, counted from the end of its prefill (or of its wait
   * for room on the target).
   *
   * @param prefillSeconds the request's last prefill iteration, which a layer-wise transfer
   *     overlaps
   */
  default double seconds(
      Request request, Pool from, int fromReplica, Pool to, int toReplica, double prefillSeconds) {
    return seconds(request, from, to);
  }

  /**
   * Starts the move of {@code request}'s KV at {@code now}, as {@link #seconds(Request, Pool, int,
   * Pool, int, double)} costs it alone, but on links that transfers started earlier may still hold:
   * returns the seconds until the KV is on the target, waiting for those links included, and holds
   * the links it uses until then. Call in the order of {@code now}. By default transfers do not
   * contend.
   */
  default double start(
      Request request,
      Pool from,
      int fromReplica,
      Pool to,
      int toReplica,
      double prefillSeconds,
      double now) {
    return seconds(request, from, fromReplica, to, toReplica, prefillSeconds);
  }

  /** Bytes moved for {@code request} (for metrics); 0 when not modelled. */
  default long bytes(Request request, Pool from) {
    return 0;
  }
}
