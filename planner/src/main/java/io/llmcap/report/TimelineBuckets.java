package io.llmcap.report;

import io.llmcap.metrics.ReplicaTimeline;
import io.llmcap.metrics.RunListener;
import io.llmcap.request.Batch;

/**
 * The report's view of the replica timeline, drawn from the streamed samples in bounded memory: per
 * replica (the first {@code maxReplicas}), the samples averaged over at most {@code buckets} equal
 * spans of simulated time. The span starts at {@link #START_WIDTH_S} and doubles (merging
 * neighbours) whenever a sample falls past the last bucket, so a short run keeps about one sample
 * per bucket and a long one stays at {@code buckets} points.
 */
public final class TimelineBuckets implements RunListener {
  /** The first bucket width in simulated seconds (shorter than one iteration). */
  static final double START_WIDTH_S = 1e-3;

  /** Sums per bucket: count, time, batch size, batch tokens, KV blocks, running, waiting. */
  static final int COUNT = 0;

  static final int TIME = 1;
  static final int SIZE = 2;
  static final int TOKENS = 3;
  static final int KV = 4;
  static final int RUNNING = 5;
  static final int WAITING = 6;
  private static final int FIELDS = 7;

  private final int buckets;
  private final double[][] sums; // [replica][bucket * FIELDS + field]
  private double width = START_WIDTH_S;
  private long samples;

  public TimelineBuckets(int maxReplicas, int buckets) {
    this.buckets = buckets;
    this.sums = new double[maxReplicas][buckets * FIELDS];
  }

  /**
   * The report's buckets for a run: {@link RunReport#MAX_REPLICAS_PLOTTED}, {@link
   * Charts#MAX_POINTS}.
   */
  public static TimelineBuckets forReport() {
    return new TimelineBuckets(RunReport.MAX_REPLICAS_PLOTTED, Charts.MAX_POINTS);
  }

  /** Buckets filled from a timeline kept in memory (runs that kept their records). */
  public static TimelineBuckets of(ReplicaTimeline t) {
    TimelineBuckets b = forReport();
    for (int i = 0; i < t.size(); i++) {
      b.add(
          t.time(i),
          t.replica(i),
          t.batchSize(i),
          t.batchTokens(i),
          t.kvBlocks(i),
          t.running(i),
          t.waiting(i));
    }
    return b;
  }

  @Override
  public void onReplicaSample(Batch b, double t, int kvBlocks, int running, int waiting) {
    add(t, b.replicaId(), b.size(), b.totalTokens(), kvBlocks, running, waiting);
  }

  void add(double t, int replica, int size, int tokens, int kv, int running, int waiting) {
    samples++;
    if (replica >= sums.length) {
      return;
    }
    while (t >= width * buckets) {
      coarsen();
    }
    int k = (int) (t / width) * FIELDS;
    double[] s = sums[replica];
    s[k + COUNT]++;
    s[k + TIME] += t;
    s[k + SIZE] += size;
    s[k + TOKENS] += tokens;
    s[k + KV] += kv;
    s[k + RUNNING] += running;
    s[k + WAITING] += waiting;
  }

  /** Doubles the bucket width: bucket i takes buckets 2i and 2i+1. */
  private void coarsen() {
    for (double[] s : sums) {
      for (int i = 0; i < buckets; i++) {
        int a = 2 * i;
        int b = a + 1;
        for (int f = 0; f < FIELDS; f++) {
          s[i * FIELDS + f] =
              (a < buckets ? s[a * FIELDS + f] : 0) + (b < buckets ? s[b * FIELDS + f] : 0);
        }
      }
    }
    width *= 2;
  }

  /** Samples seen, all replicas. */
  public long samples() {
    return samples;
  }

  /** The bucket width in simulated seconds. */
  public double width() {
    return width;
  }

  /** Whether some bucket averages several samples of one replica. */
  public boolean averaged() {
    for (double[] s : sums) {
      for (int i = 0; i < buckets; i++) {
        if (s[i * FIELDS + COUNT] > 1) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The non-empty buckets of {@code replica}: x = mean sample time, y = mean of {@code field}
   * ({@link #SIZE}, {@link #TOKENS}, {@link #KV}, {@link #RUNNING}, {@link #WAITING}).
   */
  public double[][] series(int replica, int field) {
    if (replica >= sums.length) {
      return new double[][] {new double[0], new double[0]};
    }
    double[] s = sums[replica];
    int n = 0;
    for (int i = 0; i < buckets; i++) {
      if (s[i * FIELDS + COUNT] > 0) {
        n++;
      }
    }
    double[] xs = new double[n];
    double[] ys = new double[n];
    n = 0;
    for (int i = 0; i < buckets; i++) {
      double c = s[i * FIELDS + COUNT];
      if (c > 0) {
        xs[n] = s[i * FIELDS + TIME] / c;
        ys[n++] = s[i * FIELDS + field] / c;
      }
    }
    return new double[][] {xs, ys};
  }
}
