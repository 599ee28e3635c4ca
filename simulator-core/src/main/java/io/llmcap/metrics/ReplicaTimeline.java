package io.llmcap.metrics;

import java.util.Arrays;

/**
 * The state of a replica sampled after each of its batches ends: the batch's size and tokens, and
 * the replica's KV blocks in use, running and waiting requests. Parallel primitive arrays, so a
 * sample costs a few stores and a run of N batches holds about 28 N bytes.
 */
public final class ReplicaTimeline {
  private double[] time;
  private int[] replica;
  private int[] batchSize;
  private int[] batchTokens;
  private int[] kvBlocks;
  private int[] running;
  private int[] waiting;
  private int size;

  public ReplicaTimeline(int capacity) {
    int c = Math.max(1, capacity);
    time = new double[c];
    replica = new int[c];
    batchSize = new int[c];
    batchTokens = new int[c];
    kvBlocks = new int[c];
    running = new int[c];
    waiting = new int[c];
  }

  void add(double t, int rep, int size, int tokens, int kv, int run, int wait) {
    if (this.size == time.length) {
      int c = this.size * 2;
      time = Arrays.copyOf(time, c);
      replica = Arrays.copyOf(replica, c);
      batchSize = Arrays.copyOf(batchSize, c);
      batchTokens = Arrays.copyOf(batchTokens, c);
      kvBlocks = Arrays.copyOf(kvBlocks, c);
      running = Arrays.copyOf(running, c);
      waiting = Arrays.copyOf(waiting, c);
    }
    int i = this.size++;
    time[i] = t;
    replica[i] = rep;
    batchSize[i] = size;
    batchTokens[i] = tokens;
    kvBlocks[i] = kv;
    running[i] = run;
    waiting[i] = wait;
  }

  /** Samples, in batch-end order (time order). */
  public int size() {
    return size;
  }

  /** Simulated seconds at which the batch ended. */
  public double time(int i) {
    return time[i];
  }

  public int replica(int i) {
    return replica[i];
  }

  /** Requests in the batch that ended. */
  public int batchSize(int i) {
    return batchSize[i];
  }

  /** Tokens the batch that ended processed (prefill and decode). */
  public int batchTokens(int i) {
    return batchTokens[i];
  }

  /** KV blocks the replica holds after the batch's completed requests freed theirs. */
  public int kvBlocks(int i) {
    return kvBlocks[i];
  }

  /** Requests admitted to the replica and not completed (in a batch or between iterations). */
  public int running(int i) {
    return running[i];
  }

  /** Requests queued at the replica, not yet admitted (or preempted and re-queued). */
  public int waiting(int i) {
    return waiting[i];
  }
}
