package io.llmcap.metrics;

import io.llmcap.request.Request;

/**
 * The outcome of one completed request. Times are simulated seconds. Lengths are the workload's (a
 * restart does not change them). {@code firstTokenAt} and {@code completedAt} are when the client
 * receives the token: the engine's time plus the front end's client path ({@link
 * io.llmcap.timing.ExecutionTimePredictor#clientPathSeconds()}); the other times are the engine's.
 */
public record RequestRecord(
    long id,
    int replica,
    double arrivedAt,
    int prefillTokens,
    int decodeTokens,
    double scheduledAt,
    double firstTokenAt,
    double completedAt,
    double executionTime,
    double modelExecutionTime,
    double preemptedTime,
    int restarts,
    long recomputedTokens) {

  /** The record of {@code r} as the engine saw it (no client path). */
  public static RequestRecord of(Request r) {
    return of(r, 0);
  }

  /**
   * The record of {@code r} as its client sees it: first token and completion {@code clientPath}
   * seconds after the engine produced them.
   */
  public static RequestRecord of(Request r, double clientPath) {
    return new RequestRecord(
        r.id(),
        r.replicaId(),
        r.arrivedAt(),
        r.originalPrefill(),
        r.originalDecode(),
        r.scheduledAt(),
        r.firstTokenAt() + clientPath,
        r.completedAt() + clientPath,
        r.executionTime(),
        r.modelExecutionTime(),
        r.preemptedTime(),
        r.restarts(),
        r.recomputedTokens());
  }

  /** Time to first token. */
  public double ttft() {
    return firstTokenAt - arrivedAt;
  }

  public double e2e() {
    return completedAt - arrivedAt;
  }

  public double schedulingDelay() {
    return scheduledAt - arrivedAt;
  }

  /** Mean time per output token after the first; NaN for single-token outputs. */
  public double tpot() {
    return decodeTokens > 1 ? (completedAt - firstTokenAt) / (decodeTokens - 1) : Double.NaN;
  }
}
