package io.llmcap.engine;

import static io.llmcap.engine.Event.BATCH_END;
import static io.llmcap.engine.Event.GLOBAL_SCHEDULE;
import static io.llmcap.engine.Event.MOVE_ARRIVAL;
import static io.llmcap.engine.Event.REPLICA_SCHEDULE;
import static io.llmcap.engine.Event.STAGE_ARRIVAL;
import static io.llmcap.engine.Event.STAGE_END;
import static io.llmcap.engine.Event.STAGE_SCHEDULE;

import io.llmcap.catalog.Deployment;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.request.Batch;
import io.llmcap.request.Request;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.timing.ExecutionTime;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.timing.ModelFlops;
import io.llmcap.workload.RequestSource;
import io.llmcap.workload.RequestSpec;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The discrete-event loop over one or more {@link Pool pools} of replicas. Events are ordered by
 * (time, creation sequence), as in the reference; arrivals come from the {@link RequestSource} one
 * at a time and win ties against every other event. The source hears of each completion and may
 * then emit new arrivals; its end rule ends the run.
 *
 * <p>The jobs around the loop live in their own classes: {@link Routing} (pool and replica choice),
 * {@link StagePipeline} (pipeline stages), {@link DraftTiming} (speculative draft passes) and
 * {@link Speculation} (acceptance draws); the loop dispatches events and accounts metrics.
 */
public final class Simulator {
  private final List<Pool> pools;
  private final ReplicaScheduler[] replicas;
  private final int[] poolOf;
  private final ExecutionTimePredictor[] predictors;
  private final double[] clientPath;
  private final DraftTiming[] drafts;
  private final ModelFlops[] flops;
  private final RequestSource source;
  private final double timeLimit;
  private final MetricsCollector metrics;
  private final Speculation speculation;
  private final long acceptanceSeed;
  private final KvTransfer transfer;
  private final PriorityQueue<Event> queue = new PriorityQueue<>(Event.ORDER);
  private final Routing routing;
  private final StagePipeline stages;
  private final Handoff handoff;
  private RequestSpec nextArrival;
  private long nextSeq;
  private double now;
  private long events;
  private long arrived;
  private long completed;
  private long moving;
  private boolean ending;

  /**
   * @param selector picks the pool of each arriving request (asked only when there are several)
   * @param speculation the run's speculative decoding; every pool's draft predictor is required
   *     when it has a draft model
   * @param acceptanceSeed seeds the acceptance draws
   * @param transfer the cost of moving a request between replicas
   */
  public Simulator(
      List<Pool> pools,
      PoolSelector selector,
      RequestSource source,
      double timeLimit,
      MetricsCollector metrics,
      Speculation speculation,
      long acceptanceSeed,
      KvTransfer transfer) {
    this(pools, selector, source, timeLimit, metrics, speculation, acceptanceSeed, transfer, null);
  }

  /**
   * As above, for a disaggregated run: {@code handoff} moves each request from its prefill replica
   * to a decode replica (null: every request stays where it was routed).
   */
  Simulator(
      List<Pool> pools,
      PoolSelector selector,
      RequestSource source,
      double timeLimit,
      MetricsCollector metrics,
      Speculation speculation,
      long acceptanceSeed,
      KvTransfer transfer,
      Handoff handoff) {
    this.handoff = handoff;
    this.pools = List.copyOf(pools);
    int n = 0;
    for (Pool p : this.pools) {
      if (p.firstReplica() != n) {
        throw new IllegalArgumentException(
            "pool " + p.name() + " starts at replica " + p.firstReplica() + ", expected " + n);
      }
      if (speculation.draft() != null && p.draftPredictor() == null) {
        throw new IllegalArgumentException(
            "speculative.method draft_model needs a predictor for the draft model");
      }
      n += p.replicas().size();
    }
    this.replicas = new ReplicaScheduler[n];
    this.poolOf = new int[n];
    this.predictors = new ExecutionTimePredictor[n];
    this.clientPath = new double[n];
    this.drafts = new DraftTiming[n];
    this.flops = new ModelFlops[this.pools.size()];
    int[] stagesPerReplica = new int[n];
    for (int pi = 0; pi < this.pools.size(); pi++) {
      Pool p = this.pools.get(pi);
      Deployment deployment = p.deployment();
      DraftTiming draft = speculation.draft() != null ? new DraftTiming(p.draftPredictor()) : null;
      for (int i = 0; i < p.replicas().size(); i++) {
        int id = p.firstReplica() + i;
        replicas[id] = p.replicas().get(i);
        poolOf[id] = pi;
        predictors[id] = p.predictor();
        clientPath[id] = clientPath(p);
        drafts[id] = draft;
        stagesPerReplica[id] = deployment.pp();
      }
      flops[pi] = new ModelFlops(deployment);
    }
    this.speculation = speculation;
    this.acceptanceSeed = acceptanceSeed;
    this.source = source;
    this.timeLimit = timeLimit > 0 ? timeLimit : Double.POSITIVE_INFINITY;
    this.metrics = metrics;
    this.transfer = transfer;
    this.routing = new Routing(this.pools, selector, n);
    this.stages = new StagePipeline(stagesPerReplica);
  }

  private static double clientPath(Pool p) {
    double s = p.predictor().clientPathSeconds();
    if (!(s >= 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException(
          "pool " + p.name() + ": client path must be finite and ≥ 0 seconds, got " + s);
    }
    return s;
  }

  /**
   * Runs until the source's end rule ends the run (open loop: every request completed), the time
   * limit passed, the metrics report an objective certainly missed ({@link
   * MetricsCollector#stoppedBy()}), or nothing is left to simulate.
   */
  public void run() {
    if (pools.size() > 1) {
      String[] names = new String[replicas.length];
      for (int id = 0; id < names.length; id++) {
        names[id] = pools.get(poolOf[id]).name() + " replica " + id;
      }
      metrics.onReplicaNames(names);
    }
    nextArrival = source.peek();
    double endAt = Double.POSITIVE_INFINITY;
    while (true) {
      Event e = queue.peek();
      boolean arrival = nextArrival != null && (e == null || nextArrival.arrivedAt() <= e.time);
      if (!arrival && e == null) {
        break;
      }
      double t = arrival ? nextArrival.arrivedAt() : e.time;
      if (ending) {
        if (t > endAt) {
          break;
        }
      }
      if (t < now) {
        throw new IllegalStateException("time went backwards: " + t + " < " + now);
      }
      now = t;
      events++;
      if (arrival) {
        arrive(source.take());
      } else {
        handle(queue.poll());
      }
      if (ending && endAt == Double.POSITIVE_INFINITY) {
        endAt = now;
      }
      if (now > timeLimit || metrics.stoppedBy() != null) {
        break;
      }
    }
  }

  private void arrive(RequestSpec spec) {
    Request r = handoff != null ? Request.prefillPart(spec) : new Request(spec);
    r.setSpeculate(speculation.k());
    arrived++;
    routing.add(r);
    push(now, GLOBAL_SCHEDULE, -1, -1, null, null);
    nextArrival = source.peek();
  }

  private void handle(Event e) {
    switch (e.type) {
      case GLOBAL_SCHEDULE -> globalSchedule(e.time);
      case REPLICA_SCHEDULE -> replicaSchedule(e.time, e.replica);
      case STAGE_ARRIVAL -> {
        stages.enqueue(e.replica, e.stage, e.batch);
        push(e.time, STAGE_SCHEDULE, e.replica, e.stage, null, null);
      }
      case STAGE_SCHEDULE -> stageSchedule(e.time, e.replica, e.stage);
      case STAGE_END -> stageEnd(e);
      case BATCH_END -> batchEnd(e.time, e.replica, e.batch);
      case MOVE_ARRIVAL -> moveArrival(e.time, e.replica, e.request);
      default -> throw new IllegalStateException("unknown event type " + e.type);
    }
  }

  private void globalSchedule(double t) {
    int n = routing.routeAll();
    for (int i = 0; i < n; i++) {
      push(t, REPLICA_SCHEDULE, routing.touched(i), -1, null, null);
    }
  }

  private void replicaSchedule(double t, int replica) {
    ReplicaScheduler rs = replicas[replica];
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
    Batch b = stages.start(replica, stage);
    if (b == null) {
      return;
    }
    ExecutionTime et = predictors[replica].predict(b, stage);
    // the draft model proposes before the target's first stage verifies
    DraftTiming draftTiming = drafts[replica];
    double draft = stage == 0 && draftTiming != null ? draftTiming.seconds(b) : 0;
    // host-tier KV loads finish before the first stage computes on them
    double load = stage == 0 ? b.kvLoadSeconds() : 0;
    for (int i = 0; i < b.size(); i++) {
      b.request(i).onStageSchedule(t);
    }
    queue.add(
        new Event(
            t + et.totalSeconds() + draft + load,
            nextSeq++,
            STAGE_END,
            replica,
            stage,
            b,
            null,
            et,
            draft));
  }

  private void stageEnd(Event e) {
    Batch b = e.batch;
    double duration =
        e.execution.totalSeconds() + e.draftSeconds + (e.stage == 0 ? b.kvLoadSeconds() : 0);
    stages.finish(e.replica, e.stage);
    for (int i = 0; i < b.size(); i++) {
      b.request(i).onStageEnd(e.time, duration, e.execution.modelSeconds() + e.draftSeconds);
    }
    if (speculation.enabled()) {
      metrics.onSpeculativeStage(e.draftSeconds, b.verifies() > 0 ? e.execution.totalSeconds() : 0);
    }
    metrics.onStageEnd(b, e.stage, e.time - duration, duration, flops[poolOf[e.replica]].stage(b));
    push(e.time, STAGE_SCHEDULE, e.replica, e.stage, null, null);
    if (stages.isLast(e.replica, e.stage)) {
      push(e.time, BATCH_END, e.replica, e.stage, b, null);
    } else {
      push(e.time, STAGE_ARRIVAL, e.replica, e.stage + 1, b, null);
    }
  }

  private void batchEnd(double t, int replica, Batch b) {
    boolean prefillSide = handoff != null && handoff.isPrefill(replica);
    // the prefill replica's token reaches the client only when it streams the first token
    boolean streams = !prefillSide || handoff.prefillFirst();
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
      if (r.onBatchEnd(t, advance) && streams) {
        if (!Double.isNaN(previousToken)) {
          metrics.onToken(t - previousToken);
        } else {
          metrics.onFirstToken(r, clientPath[replica]);
        }
        r.setLastTokenAt(t);
      }
    }
    ReplicaScheduler rs = replicas[replica];
    int[] targets = null;
    if (prefillSide) {
      targets = handOff(t, replica, b);
    }
    rs.onBatchEnd(b);
    metrics.onBatchEnd(b, t);
    metrics.onKvSample(replica, t, rs.kv().allocated());
    metrics.onReplicaSample(
        b, t, rs.kv().allocated(), rs.numOutstanding() - rs.numWaiting(), rs.numWaiting());
    boolean any = false;
    for (int i = 0; i < b.size(); i++) {
      Request r = b.request(i);
      if (r.completed() && !(prefillSide && handoff.moves(r))) {
        completed++;
        metrics.onRequestCompleted(r, clientPath[replica]);
        // a closed-loop client sends its next request once the response has reached it
        source.onCompleted(t + clientPath[replica], r.spec());
        any = true;
      }
    }
    if (any) {
      nextArrival = source.peek();
      ending = ending || source.done();
    }
    push(t, REPLICA_SCHEDULE, replica, -1, null, null);
    if (targets != null) {
      for (int to : targets) {
        if (to >= 0) {
          handoff.start(to, t, this::transferArrival);
        }
      }
    } else if (handoff != null && !prefillSide) {
      // blocks freed on a decode replica may let waiting transfers start
      handoff.start(replica, t, this::transferArrival);
    }
  }

  /**
   * Hands the batch's requests whose prefill completed to their decode replicas, before the prefill
   * scheduler frees them (their KV stays held until the transfer ends).
   *
   * @return the decode replicas chosen, -1 where a request did not move
   */
  private int[] handOff(double t, int replica, Batch b) {
    int[] targets = null;
    for (int i = 0; i < b.size(); i++) {
      Request r = b.request(i);
      if (r.completed() && handoff.moves(r)) {
        if (targets == null) {
          targets = new int[b.size()];
          java.util.Arrays.fill(targets, -1);
        }
        targets[i] = handoff.prefillDone(r, replica, t, t - b.scheduledAt());
      }
    }
    return targets;
  }

  private void transferArrival(double t, int to, Request decodeSide) {
    moving++;
    push(t, MOVE_ARRIVAL, to, -1, null, decodeSide);
  }

  /**
   * Sends {@code request}, which no replica holds any more (its old replica released it), to
   * replica {@code to}: it arrives there after the {@link KvTransfer} cost and joins the waiting
   * queue like a routed request.
   */
  void move(Request request, int to) {
    int from = request.replicaId();
    Pool fromPool = from >= 0 ? pools.get(poolOf[from]) : null;
    double cost = transfer.seconds(request, fromPool, pools.get(poolOf[to]));
    moving++;
    push(now + cost, MOVE_ARRIVAL, to, -1, null, request);
  }

  private void moveArrival(double t, int to, Request r) {
    moving--;
    if (handoff != null) {
      int from = handoff.arrived(r);
      metrics.onKvSample(from, t, replicas[from].kv().allocated());
      push(t, REPLICA_SCHEDULE, from, -1, null, null);
    }
    r.assignReplica(to);
    replicas[to].add(r);
    push(t, REPLICA_SCHEDULE, to, -1, null, null);
  }

  private void push(double t, int type, int replica, int stage, Batch b, Request r) {
    queue.add(new Event(t, nextSeq++, type, replica, stage, b, r, null, 0));
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

  /** The pools, in order; replica ids number through them. */
  public List<Pool> pools() {
    return pools;
  }

  /**
   * True when the run ended as its source's end rule says and no request is left anywhere: all
   * arrivals routed and every replica empty.
   */
  public boolean drained() {
    if (!source.done()
        || !routing.isEmpty()
        || moving > 0
        || (handoff != null && handoff.inFlight() > 0)) {
      return false;
    }
    for (ReplicaScheduler rs : replicas) {
      if (!rs.isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
