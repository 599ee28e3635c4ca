package io.llmcap.metrics;

import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Accumulates what a run measures: per-request latency distributions, per-token gaps (TBT),
 * per-batch shape and time, and per replica stage busy time, FLOPs and time-weighted KV use.
 *
 * <p>Memory does not grow with the run: distributions switch to a sketch past their exact limit,
 * and per-request records are kept only when asked for ({@code keepRecords}); otherwise listeners
 * stream them to disk as requests complete.
 */
public final class MetricsCollector {
  private final List<RequestRecord> records;
  private final Distribution ttft = new Distribution();
  private final Distribution e2e = new Distribution();
  private final Distribution schedulingDelay = new Distribution();
  private final Distribution tpot = new Distribution();
  private final Distribution tbt = new Distribution();
  private final Distribution batchTime = new Distribution();
  private final Distribution batchSize = new Distribution();
  private final Distribution batchTokens = new Distribution();
  private final ReplicaTimeline timeline;
  private final Distribution specTokensPerStep = new Distribution();
  private final Distribution kvTransfer = new Distribution();
  private final Distribution decodeKvWait = new Distribution();
  private final Distribution decodeQueue = new Distribution();
  private final Distribution kvLinkWait = new Distribution();
  private long kvTransferBytes;
  private final int[] stageBase;
  private final int[] stagesOf;
  private final long[] completedOf;
  private final long[] batchesOf;
  private final long[] tokensOf;
  private final long[] promptOf;
  private final long[] cachedOf;
  private final long[] hostCachedOf;
  private final double[] busy;
  private final double[] flops;
  private final double[] kvIntegral;
  private final double[] kvLastT;
  private final int[] kvLast;
  private final int[] kvPeak;
  private final List<RunListener> listeners;
  private final List<EarlyStop> stops;
  private final long[] exceedances;
  private EarlyStop stoppedBy;
  private long completed;
  private long outputTokens;
  private long restarts;
  private long tokensProcessed;
  private double lastEventTime;
  private long specProposed;
  private long specAccepted;
  private double specDraftSeconds;
  private double specVerifySeconds;

  public MetricsCollector(int replicas, int stages, List<RunListener> listeners) {
    this(replicas, stages, listeners, true, List.of());
  }

  public MetricsCollector(
      int replicas,
      int stages,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops) {
    this(uniform(replicas, stages), listeners, keepRecords, stops);
  }

  /**
   * A collector for replicas of different pipeline depths (pools of different shapes).
   *
   * @param stagesPerReplica the pipeline stages of each replica, indexed by replica id
   */
  public MetricsCollector(
      int[] stagesPerReplica,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops) {
    int replicas = stagesPerReplica.length;
    this.records = keepRecords ? new ArrayList<>() : null;
    this.timeline = keepRecords ? new ReplicaTimeline(1 << 10) : null;
    this.stagesOf = stagesPerReplica.clone();
    this.stageBase = new int[replicas];
    int slots = 0;
    for (int r = 0; r < replicas; r++) {
      stageBase[r] = slots;
      slots += stagesOf[r];
    }
    this.busy = new double[slots];
    this.flops = new double[slots];
    this.completedOf = new long[replicas];
    this.batchesOf = new long[replicas];
    this.tokensOf = new long[replicas];
    this.promptOf = new long[replicas];
    this.cachedOf = new long[replicas];
    this.hostCachedOf = new long[replicas];
    this.kvIntegral = new double[replicas];
    this.kvLastT = new double[replicas];
    this.kvLast = new int[replicas];
    this.kvPeak = new int[replicas];
    this.listeners = List.copyOf(listeners);
    this.stops = List.copyOf(stops);
    this.exceedances = new long[stops.size()];
  }

  private static int[] uniform(int replicas, int stages) {
    int[] out = new int[replicas];
    Arrays.fill(out, stages);
    return out;
  }

  public void onKvSample(int replica, double t, int allocatedBlocks) {
    kvIntegral[replica] += kvLast[replica] * (t - kvLastT[replica]);
    kvLastT[replica] = t;
    kvLast[replica] = allocatedBlocks;
    kvPeak[replica] = Math.max(kvPeak[replica], allocatedBlocks);
  }

  public void onStageEnd(Batch b, int stage, double start, double duration, double stageFlops) {
    int i = stageBase[b.replicaId()] + stage;
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
    batchesOf[b.replicaId()]++;
    tokensOf[b.replicaId()] += b.totalTokens();
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
    if (timeline != null) {
      timeline.add(t, b.replicaId(), b.size(), b.totalTokens(), kvBlocks, running, waiting);
    }
    for (RunListener l : listeners) {
      l.onReplicaSample(b, t, kvBlocks, running, waiting);
    }
  }

  /**
   * A stage under speculative decoding ended: {@code draftSeconds} of draft-model passes, and
   * {@code verifySeconds} of target time when the batch verified speculative tokens (else 0).
   */
  public void onSpeculativeStage(double draftSeconds, double verifySeconds) {
    specDraftSeconds += draftSeconds;
    specVerifySeconds += verifySeconds;
  }

  /** A request's verify step accepted {@code accepted} of {@code proposed} tokens. */
  public void onVerifyStep(int proposed, int accepted) {
    specProposed += proposed;
    specAccepted += accepted;
    specTokensPerStep.add(accepted + 1);
  }

  /** Names the replicas of a run of several pools (see {@link RunListener#onReplicaNames}). */
  public void onReplicaNames(String[] names) {
    for (RunListener l : listeners) {
      l.onReplicaNames(names);
    }
  }

  /**
   * A disaggregated request's KV transfer started (see {@link RunListener#onKvTransfer(long, int,
   * int, double, double, double, double, long)}).
   */
  public void onKvTransfer(
      long requestId,
      int from,
      int to,
      double start,
      double wait,
      double seconds,
      double linkWait,
      long bytes) {
    kvTransfer.add(seconds);
    kvLinkWait.add(linkWait);
    decodeKvWait.add(wait);
    kvTransferBytes += bytes;
    for (RunListener l : listeners) {
      l.onKvTransfer(requestId, from, to, start, wait, seconds, linkWait, bytes);
    }
  }

  public void onToken(double gap) {
    tbt.add(gap);
  }

  /** A request produced its first output token: TTFT is final, so its objective can be checked. */
  public void onFirstToken(Request r) {
    onFirstToken(r, 0);
  }

  /**
   * As {@link #onFirstToken(Request)}, for a client that receives the token {@code clientPath}
   * seconds after the engine produced it.
   */
  public void onFirstToken(Request r, double clientPath) {
    count("ttft", r.firstTokenAt() + clientPath - r.arrivedAt());
  }

  private long promptTokens;
  private long cachedTokens;
  private long hostCachedTokens;

  public void onRequestCompleted(Request r) {
    onRequestCompleted(r, 0);
  }

  /**
   * A request completed; its client receives the first token and the last {@code clientPath}
   * seconds after the engine produced them ({@link RequestRecord#of(Request, double)}).
   */
  public void onRequestCompleted(Request r, double clientPath) {
    RequestRecord q = RequestRecord.of(r, clientPath);
    completed++;
    completedOf[r.replicaId()]++;
    ttft.add(q.ttft());
    e2e.add(q.e2e());
    schedulingDelay.add(q.schedulingDelay());
    if (!Double.isNaN(q.tpot())) {
      tpot.add(q.tpot());
    }
    if (!Double.isNaN(r.decodeScheduledAt())) {
      decodeQueue.add(r.decodeScheduledAt() - r.handedOverAt());
    }
    outputTokens += q.decodeTokens();
    promptTokens += r.originalPrefill();
    cachedTokens += r.cachedTokens();
    hostCachedTokens += r.hostCachedTokens();
    promptOf[r.replicaId()] += r.originalPrefill();
    cachedOf[r.replicaId()] += r.cachedTokens();
    hostCachedOf[r.replicaId()] += r.hostCachedTokens();
    restarts += q.restarts();
    count("e2e", q.e2e());
    count("scheduling_delay", q.schedulingDelay());
    if (records != null) {
      records.add(q);
    }
    for (RunListener l : listeners) {
      l.onRequestCompleted(q);
    }
  }

  private void count(String metric, double value) {
    for (int i = 0; i < exceedances.length; i++) {
      EarlyStop s = stops.get(i);
      if (s.metric().equals(metric)
          && value > s.maxS()
          && ++exceedances[i] >= s.exceedancesToStop()
          && stoppedBy == null) {
        stoppedBy = s;
      }
    }
  }

  /** The objective that is certainly missed, once one is; null while none is. */
  public EarlyStop stoppedBy() {
    return stoppedBy;
  }

  /**
   * Completed requests in completion order.
   *
   * @throws IllegalStateException when the run did not keep records
   */
  public List<RequestRecord> requests() {
    if (records == null) {
      throw new IllegalStateException("this run streamed its request records instead of keeping");
    }
    return Collections.unmodifiableList(records);
  }

  /**
   * One sample per batch end, for plots over time.
   *
   * @throws IllegalStateException when the run did not keep records
   */
  public ReplicaTimeline timeline() {
    if (timeline == null) {
      throw new IllegalStateException("this run streamed its timeline instead of keeping it");
    }
    return timeline;
  }

  /** Whether {@link #requests()} and {@link #timeline()} hold the whole run. */
  public boolean keptRecords() {
    return records != null;
  }

  public long completed() {
    return completed;
  }

  public long outputTokens() {
    return outputTokens;
  }

  /** Prompt tokens of the completed requests, as the workload gave them. */
  public long promptTokens() {
    return promptTokens;
  }

  /** Prompt tokens of the completed requests that came from the prefix cache (either tier). */
  public long cachedTokens() {
    return cachedTokens;
  }

  /** Of {@link #cachedTokens()}, those loaded back from the host-memory tier. */
  public long hostCachedTokens() {
    return hostCachedTokens;
  }

  public long restarts() {
    return restarts;
  }

  public Distribution ttft() {
    return ttft;
  }

  public Distribution e2e() {
    return e2e;
  }

  public Distribution schedulingDelay() {
    return schedulingDelay;
  }

  /** Per-request mean time per output token after the first (requests with two or more). */
  public Distribution tpot() {
    return tpot;
  }

  public Distribution tbt() {
    return tbt;
  }

  public Distribution batchTime() {
    return batchTime;
  }

  public Distribution batchSize() {
    return batchSize;
  }

  public Distribution batchTokens() {
    return batchTokens;
  }

  /** Tokens emitted per speculative verify step: accepted proposals plus the target's own. */
  public Distribution specTokensPerStep() {
    return specTokensPerStep;
  }

  public long specProposedTokens() {
    return specProposed;
  }

  public long specAcceptedTokens() {
    return specAccepted;
  }

  /** Draft-model time over all stages of all batches. */
  public double specDraftSeconds() {
    return specDraftSeconds;
  }

  /** Target time of the stages of batches that verified speculative tokens. */
  public double specVerifySeconds() {
    return specVerifySeconds;
  }

  /**
   * Disaggregated serving: seconds each KV transfer took, from its start (decode-side room held) to
   * the KV on the decode replica, the wait for busy links included.
   */
  public Distribution kvTransfer() {
    return kvTransfer;
  }

  /** Disaggregated serving: seconds each request waited for KV room on its decode replica. */
  public Distribution decodeKvWait() {
    return decodeKvWait;
  }

  /**
   * Disaggregated serving: seconds from a request's arrival on its decode replica (its KV there) to
   * its first step there.
   */
  public Distribution decodeQueue() {
    return decodeQueue;
  }

  /**
   * Disaggregated serving: the part of each KV transfer's time spent waiting for links that earlier
   * transfers held (0 for a transfer that found them free).
   */
  public Distribution kvLinkWait() {
    return kvLinkWait;
  }

  /** Disaggregated serving: bytes of KV moved. */
  public long kvTransferBytes() {
    return kvTransferBytes;
  }

  public long tokensProcessed() {
    return tokensProcessed;
  }

  public double lastEventTime() {
    return lastEventTime;
  }

  public double busySeconds(int replica, int stage) {
    return busy[stageBase[replica] + stage];
  }

  public double flops(int replica, int stage) {
    return flops[stageBase[replica] + stage];
  }

  /** Replicas measured. */
  public int replicas() {
    return stagesOf.length;
  }

  /** Pipeline stages of {@code replica}. */
  public int stages(int replica) {
    return stagesOf[replica];
  }

  /** Requests that completed on {@code replica}. */
  /** Prompt tokens of the requests replica {@code replica} completed. */
  public long promptTokens(int replica) {
    return promptOf[replica];
  }

  /** Of {@link #promptTokens(int)}, those taken from the replica's prefix cache (either tier). */
  public long cachedTokens(int replica) {
    return cachedOf[replica];
  }

  /** Of {@link #cachedTokens(int)}, those loaded back from the replica's host-memory tier. */
  public long hostCachedTokens(int replica) {
    return hostCachedOf[replica];
  }

  public long completed(int replica) {
    return completedOf[replica];
  }

  /** Batches {@code replica} ran to their end. */
  public long batches(int replica) {
    return batchesOf[replica];
  }

  /** Tokens the batches of {@code replica} processed. */
  public long tokensProcessed(int replica) {
    return tokensOf[replica];
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
