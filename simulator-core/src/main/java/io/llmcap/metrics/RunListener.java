package io.llmcap.metrics;

import io.llmcap.request.Batch;

/** Receives batch and request events as they happen, so outputs can stream to disk. */
public interface RunListener {
  /** A batch finished one pipeline stage that ran from {@code start} for {@code duration} s. */
  default void onStageEnd(Batch batch, int stage, double start, double duration) {}

  /** A batch finished its last stage at {@code end}. */
  default void onBatchEnd(Batch batch, double end) {}

  /** The replica's state right after {@code batch} ended (see {@link MetricsCollector}). */
  default void onReplicaSample(Batch batch, double t, int kvBlocks, int running, int waiting) {}

  /** A request completed; records arrive in completion order. */
  default void onRequestCompleted(RequestRecord request) {}

  /**
   * The run has several pools: each replica's name, by replica id (called once, before any event;
   * never in a single-pool run).
   */
  default void onReplicaNames(String[] names) {}

  /**
   * Disaggregated serving: request {@code requestId}'s KV started moving from replica {@code from}
   * to replica {@code to} at {@code start} and takes {@code seconds}, of which {@code linkWait} it
   * waited for links (NICs, NVLink) that earlier transfers held; it had waited {@code wait} seconds
   * for room on {@code to}.
   */
  default void onKvTransfer(
      long requestId,
      int from,
      int to,
      double start,
      double wait,
      double seconds,
      double linkWait,
      long bytes) {}
}
