package io.llmcap.engine;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.catalog.ModelSpec;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.Precision;
import io.llmcap.cluster.RouterContext;
import io.llmcap.cluster.Routers;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.ClusterConfig;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.metrics.EarlyStop;
import io.llmcap.metrics.MetricsCollector;
import io.llmcap.metrics.RunListener;
import io.llmcap.scheduler.HostTierPlan;
import io.llmcap.scheduler.MemoryPlan;
import io.llmcap.scheduler.ReplicaScheduler;
import io.llmcap.scheduler.SchedulerContext;
import io.llmcap.scheduler.SchedulerRules;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.scheduler.TokenBudget;
import io.llmcap.timing.ExecutionTimePredictor;
import io.llmcap.workload.Workloads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A validated simulation: the config checked against the catalog, the deployment resolved and its
 * memory planned. {@link #run} can be called any number of times and gives identical results.
 */
public final class Simulation {
  private final SimulationConfig config;
  private final List<PoolPlan> plans;
  private final Deployment deployment;
  private final MemoryPlan memory;
  private final Speculation speculation;
  private final Path baseDir;

  /**
   * One pool as prepared: its deployment, memory plan, scheduler settings and replica count.
   *
   * @param schedulers schedulers (replicas × attention data-parallel groups)
   */
  record PoolPlan(
      String name,
      Deployment deployment,
      MemoryPlan memory,
      SchedulerConfig scheduler,
      int schedulers) {}

  private Simulation(
      SimulationConfig config, List<PoolPlan> plans, Speculation speculation, Path baseDir) {
    this.config = config;
    this.plans = List.copyOf(plans);
    this.deployment = plans.get(0).deployment();
    this.memory = plans.get(0).memory();
    this.speculation = speculation;
    this.baseDir = baseDir;
  }

  /**
   * Checks every field and resolves the deployment.
   *
   * @param baseDir folder that relative file paths in the config resolve against
   * @throws ConfigException naming the first bad field
   */
  public static Simulation prepare(SimulationConfig config, Catalog catalog, Path baseDir) {
    if (config.timeLimit() < 0 || Double.isNaN(config.timeLimit())) {
      throw ConfigException.invalid(
          "time_limit", config.timeLimit(), "0 (no limit) or more seconds");
    }
    if (config.cluster().disaggregated()) {
      return Disaggregated.prepare(config, catalog, baseDir);
    }
    Deployment d = deployment(config.cluster(), catalog, "cluster.");
    Speculation spec = Speculation.prepare(config.speculative(), catalog, d, baseDir);
    Routers.check(config.router(), config.routerOptions());
    SchedulerConfig s = config.scheduler();
    SchedulerRules rules = checkScheduler(s, d, "cluster.");
    Workloads.validate(config.workload(), baseDir);
    int maxTokens = config.workload().maxTokens();
    int blockSize = rules.blockSize(s);
    MemoryPlan plan =
        rules.memoryPlan(s, d, config.cluster().memoryMargin(), maxTokens, blockSize, spec.draft());
    checkCapacity(s, rules, plan, maxTokens);
    int schedulers = config.cluster().replicas() * d.dp();
    return new Simulation(
        config, List.of(new PoolPlan("default", d, plan, s, schedulers)), spec, baseDir);
  }

  /** A prepared disaggregated run: its two pools, prefill first. */
  static Simulation of(SimulationConfig config, List<PoolPlan> plans, Path baseDir) {
    return new Simulation(config, plans, Speculation.OFF, baseDir);
  }

  /**
   * The deployment of {@code c}; errors name the pool's own keys with prefix {@code f} ({@code
   * "cluster."} or {@code "cluster.disaggregation.prefill."}); model, formats and margins are the
   * cluster's.
   */
  static Deployment deployment(ClusterConfig c, Catalog catalog, String f) {
    ModelSpec model = catalog.model(c.model(), "cluster.model");
    var sku = catalog.sku(c.sku(), f + "sku");
    NodeSku node = catalog.node(c.node(), f + "node");
    if (!node.sku().equals(sku.name())) {
      List<String> fitting =
          catalog.nodes().values().stream()
              .filter(n -> n.sku().equals(sku.name()))
              .map(NodeSku::name)
              .toList();
      throw ConfigException.invalid(
          f + "node",
          c.node(),
          "a node type with " + sku.name() + " GPUs: " + String.join(", ", fitting));
    }
    int tp = c.tensorParallel();
    int pp = c.pipelineParallel();
    if (tp < 1) {
      throw ConfigException.invalid(f + "tensor_parallel", tp, "an integer ≥ 1");
    }
    if (pp < 1) {
      throw ConfigException.invalid(f + "pipeline_parallel", pp, "an integer ≥ 1");
    }
    if (c.replicas() < 1) {
      throw ConfigException.invalid(f + "replicas", c.replicas(), "an integer ≥ 1");
    }
    if (!(c.memoryMargin() >= 0 && c.memoryMargin() < 1)) {
      throw ConfigException.invalid("cluster.memory_margin", c.memoryMargin(), "0 ≤ margin < 1");
    }
    if (model.noTensorParallel() && tp > 1) {
      throw ConfigException.invalid(
          f + "tensor_parallel",
          tp,
          "1 (" + model.name() + " does not support tensor parallelism)");
    }
    if (model.numQHeads() % tp != 0 || model.embeddingDim() % tp != 0) {
      throw ConfigException.invalid(
          f + "tensor_parallel",
          tp,
          "a divisor of "
              + model.name()
              + "'s "
              + model.numQHeads()
              + " attention heads: "
              + divisors(model.numQHeads(), node.devicesPerNode()));
    }
    if (tp > node.devicesPerNode()) {
      throw ConfigException.invalid(
          f + "tensor_parallel",
          tp,
          "at most " + node.devicesPerNode() + " (the GPUs in one " + node.name() + " node)");
    }
    if (model.numLayers() % pp != 0) {
      throw ConfigException.invalid(
          f + "pipeline_parallel",
          pp,
          "a divisor of "
              + model.name()
              + "'s "
              + model.numLayers()
              + " layers: "
              + divisors(model.numLayers(), model.numLayers()));
    }
    int dp = c.dataParallel();
    if (dp < 1 || (dp > 1 && !model.isMoe())) {
      throw ConfigException.invalid(
          "cluster.data_parallel",
          dp,
          model.isMoe()
              ? "an integer ≥ 1"
              : "1 (attention data parallelism groups share MoE layers; "
                  + model.name()
                  + " is dense: use cluster.replicas)");
    }
    int devices = tp * dp * pp;
    if (devices > node.devicesPerNode() && devices % node.devicesPerNode() != 0) {
      throw ConfigException.invalid(
          dp > 1 ? "cluster.data_parallel" : f + "pipeline_parallel",
          dp > 1 ? dp : pp,
          "a value making tensor_parallel × "
              + (dp > 1 ? "data_parallel × " : "")
              + "pipeline_parallel fit in one "
              + node.name()
              + " node ("
              + node.devicesPerNode()
              + " GPUs) or fill whole nodes");
    }
    Precision weights =
        c.dtype() == null ? model.weightPrecision() : Precision.parse("cluster.dtype", c.dtype());
    Precision kvCache = kvCachePrecision(c.kvCacheDtype(), weights);
    int ep = c.expertParallel();
    if (ep != 1 && (!model.isMoe() || ep != tp * dp || model.moe().numExperts() % ep != 0)) {
      throw ConfigException.invalid(
          f + "expert_parallel",
          ep,
          model.isMoe()
              ? "1 or "
                  + tp * dp
                  + " (tensor_parallel × data_parallel), dividing "
                  + model.name()
                  + "'s "
                  + model.moe().numExperts()
                  + " experts"
              : "1 (" + model.name() + " has no experts)");
    }
    return new Deployment(model, sku, node, tp, pp, ep, dp, weights, kvCache);
  }

  /** {@code auto} stores the KV cache in the activations' 16-bit format. */
  private static Precision kvCachePrecision(String value, Precision weights) {
    if (value == null || value.equals("auto")) {
      return weights.sixteenBit() ? weights : Precision.BF16;
    }
    Precision p = Precision.parse("cluster.kv_cache_dtype", value);
    if (!p.kvCacheFormat()) {
      throw ConfigException.invalid("cluster.kv_cache_dtype", value, "auto, fp16, bf16 or fp8");
    }
    return p;
  }

  private static String divisors(int n, int max) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= Math.min(n, max); i++) {
      if (n % i == 0) {
        out.add(Integer.toString(i));
      }
    }
    return String.join(", ", out);
  }

  /** Checks the scheduler section against the deployment; returns the scheduler's rules. */
  static SchedulerRules checkScheduler(SchedulerConfig s, Deployment d, String f) {
    Schedulers.check(s);
    SchedulerRules rules = Schedulers.rules(s.type());
    positive("scheduler.batch_size_cap", s.batchSizeCap());
    positive("scheduler.block_size", s.blockSize());
    positive("scheduler.chunk_size", s.chunkSize());
    positive("scheduler.max_tokens_in_batch", s.maxTokensInBatch());
    positive("scheduler.max_waiting_iters", s.maxWaitingIters());
    if (s.numBlocks() != null) {
      positive("scheduler.num_blocks", s.numBlocks());
    }
    if (!(s.watermarkFraction() >= 0 && s.watermarkFraction() < 1)) {
      throw ConfigException.invalid(
          "scheduler.watermark_fraction", s.watermarkFraction(), "0 ≤ fraction < 1");
    }
    checkHostTier(s, d, rules.blockSize(s));
    if (!rules.supportsPipelineParallel() && d.pp() != 1) {
      throw ConfigException.invalid(
          f + "pipeline_parallel",
          d.pp(),
          "1 (the " + s.type() + " scheduler has no pipeline support)");
    }
    return rules;
  }

  /** {@code scheduler.cpu_offload_gib}: vLLM V1 with prefix caching, at least one block. */
  private static void checkHostTier(SchedulerConfig s, Deployment d, int blockSize) {
    double gib = s.cpuOffloadGib();
    if (!(gib >= 0) || Double.isInfinite(gib)) {
      throw ConfigException.invalid("scheduler.cpu_offload_gib", gib, "0 (off) or more GiB");
    }
    if (gib == 0) {
      return;
    }
    if (!s.type().equals("vllm_v1")) {
      throw ConfigException.invalid(
          "scheduler.cpu_offload_gib",
          gib,
          "0 with scheduler.type " + s.type() + " (the host-memory KV tier is vllm_v1's)");
    }
    if (!s.prefixCaching()) {
      throw ConfigException.invalid(
          "scheduler.cpu_offload_gib",
          gib,
          "0 with scheduler.prefix_caching false (the host tier finds blocks by content hash)");
    }
    HostTierPlan t = HostTierPlan.of(s, d, blockSize);
    if (t.blocks() < 1) {
      throw ConfigException.invalid(
          "scheduler.cpu_offload_gib",
          gib,
          "0 or enough GiB for one KV block of "
              + d.model().name()
              + " ("
              + blockSize * d.kvBytesPerToken(d.layersPerStage()) * d.tp() * d.pp()
              + " bytes)");
    }
  }

  static void checkCapacity(
      SchedulerConfig s, SchedulerRules rules, MemoryPlan plan, int maxTokens) {
    TokenBudget budget = rules.tokenBudget(s);
    if (budget != null && budget.wholePrompts() && budget.tokens() < maxTokens) {
      throw ConfigException.invalid(
          budget.field(),
          budget.tokens(),
          "at least workload.max_tokens (" + maxTokens + "), or a long prompt never fits a batch");
    }
    int needed = rules.minKvBlocks(s, plan, maxTokens);
    if (plan.numBlocks() < needed) {
      throw ConfigException.invalid(
          "scheduler.num_blocks",
          plan.numBlocks(),
          "at least " + needed + " blocks, enough for one request of workload.max_tokens");
    }
  }

  static void positive(String field, int v) {
    if (v < 1) {
      throw ConfigException.invalid(field, v, "an integer ≥ 1");
    }
  }

  /** Runs the simulation to completion, keeping every request's record in memory. */
  public SimulationResult run(ExecutionTimePredictor predictor, List<RunListener> listeners) {
    return run(predictor, null, listeners, true, List.of());
  }

  /** As {@link #run(ExecutionTimePredictor, List)}, with the draft model's predictor. */
  public SimulationResult run(
      ExecutionTimePredictor predictor,
      ExecutionTimePredictor draftPredictor,
      List<RunListener> listeners) {
    return run(predictor, draftPredictor, listeners, true, List.of());
  }

  /**
   * As {@link #run(ExecutionTimePredictor, ExecutionTimePredictor, List, boolean, List)} without a
   * draft predictor: for runs without a speculative draft model.
   */
  public SimulationResult run(
      ExecutionTimePredictor predictor,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops) {
    return run(predictor, null, listeners, keepRecords, stops);
  }

  /**
   * Runs the simulation to completion, or until one of {@code stops} is certainly missed.
   *
   * @param draftPredictor predicts the draft model's passes on {@link #draftDeployment()}; required
   *     when that is not null (speculative method draft_model), ignored otherwise
   * @param keepRecords keep every request's record in memory ({@link MetricsCollector#requests()});
   *     without, memory stays flat however many requests run, and listeners see each record once
   */
  public SimulationResult run(
      ExecutionTimePredictor predictor,
      ExecutionTimePredictor draftPredictor,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops) {
    List<ExecutionTimePredictor> perPool = new ArrayList<>();
    for (PoolPlan p : plans) {
      if (!p.deployment().equals(deployment)) {
        throw new IllegalStateException(
            "the pools run on different hardware: give one predictor per pool"
                + " (run(List<ExecutionTimePredictor>, ...), deployments())");
      }
      perPool.add(predictor);
    }
    return run(perPool, draftPredictor, listeners, keepRecords, stops, null);
  }

  /**
   * Runs the simulation with one predictor per pool, in the order of {@link #deployments()} (a
   * disaggregated run's pools may differ in SKU, node and sharding).
   */
  public SimulationResult run(
      List<ExecutionTimePredictor> predictors,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops) {
    return run(predictors, null, listeners, keepRecords, stops, null);
  }

  /**
   * The run itself.
   *
   * @param transfer replaces the KV-transfer cost of a disaggregated run (tests: a free link); null
   *     for the links the deployment has
   */
  SimulationResult run(
      List<ExecutionTimePredictor> predictors,
      ExecutionTimePredictor draftPredictor,
      List<RunListener> listeners,
      boolean keepRecords,
      List<EarlyStop> stops,
      KvTransfer transfer) {
    if (predictors.size() != plans.size()) {
      throw new IllegalArgumentException(
          predictors.size() + " predictors for " + plans.size() + " pools");
    }
    long wallStart = System.nanoTime();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long workloadSeed = seeds.nextLong();
    long routerSeed = seeds.nextLong();
    long acceptanceSeed = seeds.nextLong();
    var disaggregation = config.cluster().disaggregation();
    AtomicLong batchIds = new AtomicLong();
    List<Pool> pools = new ArrayList<>();
    int first = 0;
    for (int pi = 0; pi < plans.size(); pi++) {
      PoolPlan plan = plans.get(pi);
      // Each attention data-parallel group is its own scheduler with its own KV cache (vLLM runs
      // one engine core per DP rank); its step times cost the MoE layers at dp × its tokens.
      int n = plan.schedulers();
      List<ReplicaScheduler> replicas = new ArrayList<>(n);
      HostTierPlan hostTier =
          HostTierPlan.of(plan.scheduler(), plan.deployment(), plan.memory().blockSize());
      for (int i = 0; i < n; i++) {
        replicas.add(
            Schedulers.create(
                new SchedulerContext(
                        first + i,
                        plan.deployment().pp(),
                        plan.scheduler(),
                        plan.memory(),
                        batchIds)
                    .withHostTier(hostTier)));
      }
      String router =
          disaggregation == null
              ? config.router()
              : pi == 0 ? disaggregation.prefillRouter() : disaggregation.decodeRouter();
      // the decode pool draws its router's numbers from its own stream
      long seed = pi == 0 ? routerSeed : new SplittableRandom(routerSeed + pi).nextLong();
      pools.add(
          new Pool(
              plan.name(),
              plan.deployment(),
              plan.memory(),
              replicas,
              Disaggregated.FREE_KV.equals(router)
                  ? new io.llmcap.cluster.FreeKvRouter()
                  : Routers.create(router, config.routerOptions(), new RouterContext(n, seed)),
              predictors.get(pi),
              speculation.draft() != null ? draftPredictor : null,
              first));
      first += n;
    }
    int[] stages = new int[first];
    for (Pool p : pools) {
      for (int i = 0; i < p.replicas().size(); i++) {
        stages[p.firstReplica() + i] = p.deployment().pp();
      }
    }
    MetricsCollector metrics = new MetricsCollector(stages, listeners, keepRecords, stops);
    Handoff handoff = null;
    if (disaggregation != null) {
      KvTransfer link =
          transfer != null
              ? transfer
              : new LinkKvTransfer(pools, disaggregation.layerwiseTransfer());
      handoff =
          new Handoff(
              pools.get(0),
              pools.get(1),
              disaggregation.firstToken().equals(Disaggregated.PREFILL_FIRST),
              link,
              metrics);
    }
    Simulator sim =
        new Simulator(
            pools,
            PoolSelector.FIRST,
            Workloads.source(config.workload(), workloadSeed, baseDir),
            config.timeLimit(),
            metrics,
            speculation,
            acceptanceSeed,
            KvTransfer.FREE,
            handoff);
    sim.run();
    return result(config, sim, metrics, wallStart);
  }

  /**
   * What a finished simulator produced.
   *
   * @throws IllegalStateException when the run stalled: it was not stopped by the time limit or an
   *     objective, yet requests are left unfinished or the source is not done
   */
  static SimulationResult result(
      SimulationConfig config, Simulator sim, MetricsCollector metrics, long wallStart) {
    boolean limited =
        (config.timeLimit() > 0 && sim.now() > config.timeLimit()) || metrics.stoppedBy() != null;
    if (!limited && !sim.drained()) {
      throw new IllegalStateException(
          "simulation stalled at t="
              + sim.now()
              + " s with "
              + (sim.arrived() - sim.completed())
              + " requests unfinished");
    }
    List<Pool> pools = sim.pools();
    Pool first = pools.get(0);
    long preemptions = 0;
    List<Integer> blocks = new ArrayList<>();
    for (Pool p : pools) {
      for (ReplicaScheduler r : p.replicas()) {
        preemptions += r.preemptions();
        blocks.add(r.kv().numBlocks());
      }
    }
    return new SimulationResult(
        config,
        first.deployment(),
        first.memory(),
        first.predictor().describe(),
        metrics,
        List.copyOf(blocks),
        first.maxBatchSize(),
        sim.arrived(),
        sim.events(),
        preemptions,
        sim.now(),
        (System.nanoTime() - wallStart) / 1e9,
        pools);
  }

  public SimulationConfig config() {
    return config;
  }

  public Deployment deployment() {
    return deployment;
  }

  public MemoryPlan memory() {
    return memory;
  }

  /**
   * The deployment of each pool, in pool order: one for an aggregated run, prefill then decode for
   * a disaggregated one. Build one predictor per entry for {@link #run(List, List, boolean, List)}.
   */
  public List<Deployment> deployments() {
    return plans.stream().map(PoolPlan::deployment).toList();
  }

  /**
   * The scheduler settings of each pool, in the order of {@link #deployments()}: a disaggregated
   * pool's own batch cap and chunk over the scheduler section's. Engine costs that depend on them
   * (CUDA graph sizes) follow each pool's.
   */
  public List<SchedulerConfig> schedulers() {
    return plans.stream().map(PoolPlan::scheduler).toList();
  }

  /** The pools' names, in the order of {@link #deployments()}. */
  public List<String> poolNames() {
    return plans.stream().map(PoolPlan::name).toList();
  }

  /** Each replica's KV blocks, by replica id (replicas number through the pools in order). */
  public int[] kvBlocksByReplica() {
    int n = plans.stream().mapToInt(PoolPlan::schedulers).sum();
    int[] out = new int[n];
    int i = 0;
    for (PoolPlan p : plans) {
      for (int k = 0; k < p.schedulers(); k++) {
        out[i++] = p.memory().numBlocks();
      }
    }
    return out;
  }

  /** The memory plan of each pool, in the order of {@link #deployments()}. */
  public List<MemoryPlan> memories() {
    return plans.stream().map(PoolPlan::memory).toList();
  }

  /** The speculative-decoding draft model on this deployment's hardware, or null when none. */
  public Deployment draftDeployment() {
    return speculation.draft();
  }
}
