package io.llmcap.metrics;

import io.llmcap.engine.Batch;
import io.llmcap.engine.Request;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Accumulates what a run measures: per-request outcomes, per-token gaps (TBT), per-batch shape and
 * time, and per replica stage busy time, FLOPs and time-weighted KV use.
 */
public final class MetricsCollector {
  private final List<RequestRecord> requests = new ArrayList<>();
  private final DoubleSeries tbt = new DoubleSeries(1 << 12);
  private final DoubleSeries batchTime = new DoubleSeries(1 << 10);
  private final DoubleSeries batchSize = new DoubleSeries(1 << 10);
  private final DoubleSeries batchTokens = new DoubleSeries(1 << 10);
  private final ReplicaTimeline timeline = new ReplicaTimeline(1 << 10);
  private final int stages;
  private final double[] busy;
  private final double[] flops;
  private final double[] kvIntegral;
  private final double[] kvLastT;
  private final int[] kvLast;
  private final int[] kvPeak;
  private final List<RunListener> listeners;
  private long tokensProcessed;
  private double lastEventTime;

  public MetricsCollector(int replicas, int stages, List<RunListener> listeners) {
    this.stages = stages;
    this.busy = new double[replicas * stages];
    this.flops = new double[replicas * stages];
    this.kvIntegral = new double[replicas];
    this.kvLastT = new double[replicas];
    this.kvLast = new int[replicas];
    this.kvPeak = new int[replicas];
    this.listeners = List.copyOf(listeners);
  }

  public void onKvSample(int replica, double t, int allocatedBlocks) {
    kvIntegral[replica] += kvLast[replica] * (t - kvLastT[replica]);
    kvLastT[replica] = t;
    kvLast[replica] = allocatedBlocks;
    kvPeak[replica] = Math.max(kvPeak[replica], allocatedBlocks);
  }

  public void onStageEnd(Batch b, int stage, double start, double duration, double stageFlops) {
    int i = b.replicaId() * stages + stage;
    busy[i] += duration;
    flops[i] += stageFlops;
    for (RunListener l : listeners) {
      l.onStageEnd(b, stage, start, duration);
    }
  }

  public void onBatchEnd(Batch b, double t) {
    batchTime.add(t - b.scheduledAt());
    batchSize.add(b.size());
    batchTokens.add(b.totalTokens());
    tokensProcessed += b.totalTokens();
    lastEventTime = Math.max(lastEventTime, t);
    for (RunListener l : listeners) {
      l.onBatchEnd(b, t);
    }
  }

  /**
   * The replica's state right after batch {@code b} ended at {@code t}: KV blocks held, requests
   * admitted and not completed, requests waiting.
   */
  public void onReplicaSample(Batch b, double t, int kvBlocks, int running, int waiting) {
    timeline.add(t, b.replicaId(), b.size(), b.totalTokens(), kvBlocks, running, waiting);
  }

  public void onToken(double gap) {
    tbt.add(gap);
  }

  public void onRequestCompleted(Request r) {
    requests.add(RequestRecord.of(r));
  }

  /** Completed requests in completion order. */
  public List<RequestRecord> requests() {
    return Collections.unmodifiableList(requests);
  }

  public DoubleSeries tbt() {
    return tbt;
  }

  public DoubleSeries batchTime() {
    return batchTime;
  }

  public DoubleSeries batchSize() {
    return batchSize;
  }

  public DoubleSeries batchTokens() {
    return batchTokens;
  }

  /** One sample per batch end, for plots over time and {@code replica_timeline.csv}. */
  public ReplicaTimeline timeline() {
    return timeline;
  }

  public long tokensProcessed() {
    return tokensProcessed;
  }

  public double lastEventTime() {
    return lastEventTime;
  }

  public double busySeconds(int replica, int stage) {
    return busy[replica * stages + stage];
  }

  public double flops(int replica, int stage) {
    return flops[replica * stages + stage];
  }

  /** Time-weighted mean of allocated KV blocks over [0, end]. */
  public double kvMeanBlocks(int replica, double end) {
    double integral = kvIntegral[replica] + kvLast[replica] * (end - kvLastT[replica]);
    return end > 0 ? integral / end : 0;
  }

  public int kvPeakBlocks(int replica) {
    return kvPeak[replica];
  }
}
