package io.llmcap.engine;

import io.llmcap.catalog.Deployment;
import io.llmcap.cluster.GlobalScheduler;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.timing.BatchView;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.ModelFlops;
import io.llmcap.workload.RequestSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The discrete-event loop. Events are ordered by (time, creation sequence), as in the reference:
 * arrivals take the lowest sequence numbers, so they win ties against every other event. Arrivals
 * are read lazily from the workload, one ahead, so memory does not grow with the request count.
 */
public final class Simulator {
  private static final int ARRIVAL = 0;
  private static final int GLOBAL_SCHEDULE = 1;
  private static final int REPLICA_SCHEDULE = 2;
  private static final int STAGE_ARRIVAL = 3;
  private static final int STAGE_SCHEDULE = 4;
  private static final int STAGE_END = 5;
  private static final int BATCH_END = 6;

  /** Non-arrival events number from here, above any arrival index. */
  private static final long EVENT_SEQ_BASE = 1L << 62;

  private static final class Event {
    final double time;
    final long seq;
    final int type;
    final int replica;
    final int stage;
    final Batch batch;
    final Request request;
    final ExecutionTime execution;
    final double draftSeconds;

    Event(
        double time,
        long seq,
        int type,
        int replica,
        int stage,
        Batch batch,
        Request request,
        ExecutionTime execution) {
      this(time, seq, type, replica, stage, batch, request, execution, 0);
    }

    Event(
        double time,
        long seq,
        int type,
        int replica,
        int stage,
        Batch batch,
        Request request,
        ExecutionTime execution,
        double draftSeconds) {
      this.draftSeconds = draftSeconds;
      this.time = time;
      this.seq = seq;
      this.type = type;
      this.replica = replica;
      this.stage = stage;
      this.batch = batch;
      this.request = request;
      this.execution = execution;
    }
  }

  private final Deployment deployment;
  private final List<ReplicaScheduler> replicas;
  private final GlobalScheduler router;
  private final ExecutionTimePredictor predictor;
  private final Iterator<RequestSpec> workload;
  private final double timeLimit;
  private final MetricsCollector metrics;
  private final Speculation speculation;
  private final ExecutionTimePredictor draftPredictor;
  private final long acceptanceSeed;
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final List<Request> routing = new ArrayList<>();
  private final ArrayDeque<Batch>[] stageQueues;
  private final boolean[] stageBusy;
  private final int stages;
  private final ModelFlops flops;
  private long nextSeq = EVENT_SEQ_BASE;
  private double now;
  private long events;
  private long arrived;
  private long completed;

  public Simulator(
      Deployment deployment,
      List<ReplicaScheduler> replicas,
      GlobalScheduler router,
      ExecutionTimePredictor predictor,
      Iterator<RequestSpec> workload,
      double timeLimit,
      MetricsCollector metrics) {
    this(
        deployment,
        replicas,
        router,
        predictor,
        workload,
        timeLimit,
        metrics,
        Speculation.OFF,
        null,
        0);
  }

  /**
   * A simulator whose requests speculate.
   *
   * @param draftPredictor times the draft model's passes; required when {@code speculation} has a
   *     draft model, ignored otherwise
   * @param acceptanceSeed seeds the acceptance draws
   */
  @SuppressWarnings("unchecked")
  public Simulator(
      Deployment deployment,
      List<ReplicaScheduler> replicas,
      GlobalScheduler router,
      ExecutionTimePredictor predictor,
      Iterator<RequestSpec> workload,
      double timeLimit,
      MetricsCollector metrics,
      Speculation speculation,
      ExecutionTimePredictor draftPredictor,
      long acceptanceSeed) {
    if (speculation.draft() != null && draftPredictor == null) {
      throw new IllegalArgumentException(
          "speculative.method draft_model needs a predictor for the draft model");
    }
    this.speculation = speculation;
    this.draftPredictor = speculation.draft() != null ? draftPredictor : null;
    this.acceptanceSeed = acceptanceSeed;
    this.deployment = deployment;
    this.replicas = List.copyOf(replicas);
    this.router = router;
    this.predictor = predictor;
    this.workload = workload;
    this.timeLimit = timeLimit > 0 ? timeLimit : Double.POSITIVE_INFINITY;
    this.metrics = metrics;
    this.stages = deployment.pp();
    this.stageQueues = new ArrayDeque[replicas.size() * stages];
    for (int i = 0; i < stageQueues.length; i++) {
      stageQueues[i] = new ArrayDeque<>();
    }
    this.stageBusy = new boolean[replicas.size() * stages];
    this.flops = new ModelFlops(deployment);
  }

  /**
   * Runs until every request completed, the time limit passed, or the metrics report an objective
   * certainly missed ({@link MetricsCollector#stoppedBy()}).
   */
  public void run() {
    scheduleNextArrival();
    while (!queue.isEmpty()) {
      Event e = queue.poll();
      if (e.time < now) {
        throw new IllegalStateException("time went backwards: " + e.time + " < " + now);
      }
      now = e.time;
      events++;
      handle(e);
      if (now > timeLimit || metrics.stoppedBy() != null) {
        break;
      }
    }
  }

  private void handle(Event e) {
    switch (e.type) {
      case ARRIVAL -> {
        routing.add(e.request);
        push(e.time, GLOBAL_SCHEDULE, -1, -1, null, null);
        scheduleNextArrival();
      }
      case GLOBAL_SCHEDULE -> globalSchedule(e.time);
      case REPLICA_SCHEDULE -> replicaSchedule(e.time, e.replica);
      case STAGE_ARRIVAL -> {
        stageQueues[e.replica * stages + e.stage].addLast(e.batch);
        push(e.time, STAGE_SCHEDULE, e.replica, e.stage, null, null);
      }
      case STAGE_SCHEDULE -> stageSchedule(e.time, e.replica, e.stage);
      case STAGE_END -> stageEnd(e);
      case BATCH_END -> batchEnd(e.time, e.replica, e.batch);
      default -> throw new IllegalStateException("unknown event type " + e.type);
    }
  }

  private void scheduleNextArrival() {
    if (workload.hasNext()) {
      RequestSpec spec = workload.next();
      Request r = new Request(spec);
      r.setSpeculate(speculation.k());
      Event a = new Event(spec.arrivedAt(), arrived++, ARRIVAL, -1, -1, null, r, null);
      queue.add(a);
    }
  }

  private void globalSchedule(double t) {
    if (routing.isEmpty()) {
      return;
    }
    routing.sort((a, b) -> Double.compare(a.arrivedAt(), b.arrivedAt()));
    boolean[] touched = new boolean[replicas.size()];
    int[] order = new int[replicas.size()];
    int n = 0;
    for (Request r : routing) {
      int target = router.route(r, replicas);
      r.assignReplica(target);
      replicas.get(target).add(r);
      if (!touched[target]) {
        touched[target] = true;
        order[n++] = target;
      }
    }
    routing.clear();
    for (int i = 0; i < n; i++) {
      push(t, REPLICA_SCHEDULE, order[i], -1, null, null);
    }
  }

  private void replicaSchedule(double t, int replica) {
    ReplicaScheduler rs = replicas.get(replica);
    List<Batch> batches = rs.onSchedule();
    if (batches.isEmpty()) {
      return;
    }
    metrics.onKvSample(replica, t, rs.kv().allocated());
    for (Batch b : batches) {
      b.onSchedule(t);
      push(t, STAGE_ARRIVAL, replica, 0, b, null);
    }
  }

  private void stageSchedule(double t, int replica, int stage) {
    int slot = replica * stages + stage;
    if (stageBusy[slot] || stageQueues[slot].isEmpty()) {
      return;
    }
    stageBusy[slot] = true;
    Batch b = stageQueues[slot].pollFirst();
    ExecutionTime et = predictor.predict(b, stage);
    // the draft model proposes before the target's first stage verifies
    double draft = stage == 0 && draftPredictor != null ? draftSeconds(b) : 0;
    for (int i = 0; i < b.size(); i++) {
      b.request(i).onStageSchedule(t);
    }
    queue.add(
        new Event(
            t + et.totalSeconds() + draft,
            nextSeq++,
            STAGE_END,
            replica,
            stage,
            b,
            null,
            et,
            draft));
  }

  /**
   * The draft model's time for one iteration: a first pass that runs the batch's prefill chunks
   * (the draft keeps its own KV cache of the prompt) and each verifying request's last token, then
   * one decode step per further proposed token over the requests still proposing.
   */
  private double draftSeconds(Batch b) {
    int n = b.size();
    int steps = 0;
    int first = 0;
    for (int i = 0; i < n; i++) {
      if (b.isPrefill(i) || b.isVerify(i)) {
        first++;
      }
      if (b.isVerify(i)) {
        steps = Math.max(steps, b.numTokens(i) - 1);
      }
    }
    double seconds = 0;
    for (int step = 0; step < Math.max(steps, 1); step++) {
      DraftStep view = new DraftStep(step == 0 ? first : n);
      for (int i = 0; i < n; i++) {
        if (step == 0 && b.isPrefill(i)) {
          view.add(b.numTokens(i), b.processedBefore(i), true);
        } else if (b.isVerify(i) && b.numTokens(i) - 1 > step) {
          view.add(1, b.processedBefore(i) + step, false);
        }
      }
      if (view.size() > 0) {
        seconds += draftPredictor.predict(view, 0).totalSeconds();
      }
    }
    return seconds;
  }

  /** One pass of the draft model, shaped as a batch for its predictor. */
  private static final class DraftStep implements BatchView {
    private final int[] tokens;
    private final int[] before;
    private final boolean[] prefill;
    private int size;
    private int total;

    DraftStep(int capacity) {
      tokens = new int[capacity];
      before = new int[capacity];
      prefill = new boolean[capacity];
    }

    void add(int n, int processedBefore, boolean isPrefill) {
      tokens[size] = n;
      before[size] = processedBefore;
      prefill[size++] = isPrefill;
      total += n;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public int numTokens(int i) {
      return tokens[i];
    }

    @Override
    public int processedBefore(int i) {
      return before[i];
    }

    @Override
    public boolean isPrefill(int i) {
      return prefill[i];
    }

    @Override
    public int totalTokens() {
      return total;
    }
  }

  private void stageEnd(Event e) {
    Batch b = e.batch;
    double duration = e.execution.totalSeconds() + e.draftSeconds;
    stageBusy[e.replica * stages + e.stage] = false;
    for (int i = 0; i < b.size(); i++) {
      b.request(i).onStageEnd(e.time, duration, e.execution.modelSeconds() + e.draftSeconds);
    }
    if (speculation.enabled()) {
      metrics.onSpeculativeStage(e.draftSeconds, b.verifies() > 0 ? e.execution.totalSeconds() : 0);
    }
    metrics.onStageEnd(b, e.stage, e.time - duration, duration, flops.stage(b));
    push(e.time, STAGE_SCHEDULE, e.replica, e.stage, null, null);
    if (e.stage == stages - 1) {
      push(e.time, BATCH_END, e.replica, e.stage, b, null);
    } else {
      push(e.time, STAGE_ARRIVAL, e.replica, e.stage + 1, b, null);
    }
  }

  private void batchEnd(double t, int replica, Batch b) {
    for (int i = 0; i < b.size(); i++) {
      Request r = b.request(i);
      double previousToken = r.lastTokenAt();
      int advance = b.numTokens(i);
      if (b.isVerify(i)) {
        int proposed = advance - 1;
        int accepted = speculation.accepted(acceptanceSeed, r, r.nextVerifyStep(), proposed);
        metrics.onVerifyStep(proposed, accepted);
        advance = accepted + 1;
      }
      if (r.onBatchEnd(t, advance)) {
        if (!Double.isNaN(previousToken)) {
          metrics.onToken(t - previousToken);
        } else {
          metrics.onFirstToken(r);
        }
        r.setLastTokenAt(t);
      }
    }
    ReplicaScheduler rs = replicas.get(replica);
    rs.onBatchEnd(b);
    metrics.onBatchEnd(b, t);
    metrics.onKvSample(replica, t, rs.kv().allocated());
    metrics.onReplicaSample(
        b, t, rs.kv().allocated(), rs.numOutstanding() - rs.numWaiting(), rs.numWaiting());
    for (int i = 0; i < b.size(); i++) {
      Request r = b.request(i);
      if (r.completed()) {
        completed++;
        metrics.onRequestCompleted(r);
      }
    }
    push(t, REPLICA_SCHEDULE, replica, -1, null, null);
  }

  private void push(double t, int type, int replica, int stage, Batch b, Request r) {
    queue.add(new Event(t, nextSeq++, type, replica, stage, b, r, null));
  }

  public double now() {
    return now;
  }

  public long events() {
    return events;
  }

  public long arrived() {
    return arrived;
  }

  public long completed() {
    return completed;
  }

  /** True when no request is left anywhere: all routed requests completed. */
  public boolean drained() {
    return queue.isEmpty()
        && routing.isEmpty()
        && replicas.stream().allMatch(ReplicaScheduler::isEmpty);
  }
}
