package io.llmcap.engine;

import io.llmcap.request.Batch;
import java.util.ArrayDeque;

/**
 * The pipeline stages of every replica: a queue of batches waiting for each stage and whether the
 * stage is running one. Replicas may have different stage counts (pools of different PP).
 */
final class StagePipeline {
  private final int[] base;
  private final int[] stages;
  private final ArrayDeque<Batch>[] queues;
  private final boolean[] busy;

  @SuppressWarnings("unchecked")
  StagePipeline(int[] stagesPerReplica) {
    stages = stagesPerReplica.clone();
    base = new int[stages.length];
    int n = 0;
    for (int r = 0; r < stages.length; r++) {
      base[r] = n;
      n += stages[r];
    }
    queues = new ArrayDeque[n];
    for (int i = 0; i < n; i++) {
      queues[i] = new ArrayDeque<>();
    }
    busy = new boolean[n];
  }

  /** Stages of {@code replica}. */
  int stages(int replica) {
    return stages[replica];
  }

  boolean isLast(int replica, int stage) {
    return stage == stages[replica] - 1;
  }

  void enqueue(int replica, int stage, Batch b) {
    queues[base[replica] + stage].addLast(b);
  }

  /** The batch that starts on the stage now, marking it busy; null when busy or nothing waits. */
  Batch start(int replica, int stage) {
    int slot = base[replica] + stage;
    if (busy[slot] || queues[slot].isEmpty()) {
      return null;
    }
    busy[slot] = true;
    return queues[slot].pollFirst();
  }

  void finish(int replica, int stage) {
    busy[base[replica] + stage] = false;
  }
}
