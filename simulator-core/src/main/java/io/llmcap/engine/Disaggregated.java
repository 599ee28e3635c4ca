package io.llmcap.engine;

import io.llmcap.base.ConfigException;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.Deployment;
import io.llmcap.config.SimulationConfig;
import io.llmcap.config.SimulationConfig.ClusterConfig;
import io.llmcap.config.SimulationConfig.DisaggregationConfig;
import io.llmcap.config.SimulationConfig.PoolConfig;
import io.llmcap.config.SimulationConfig.SchedulerConfig;
import io.llmcap.scheduler.MemoryPlan;
import io.llmcap.scheduler.SchedulerRules;
import io.llmcap.workload.Workloads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks and resolves {@code cluster.disaggregation}: a prefill pool and a decode pool, each a
 * {@link Deployment} of the cluster's model and formats with its own SKU, node, TP/PP/EP, replica
 * count, scheduler caps and memory plan. Every bad input is one {@link ConfigException} naming the
 * field. See docs/disaggregation.md.
 */
final class Disaggregated {
  static final String FREE_KV = DisaggregationConfig.FREE_KV;
  static final String PREFILL_FIRST = DisaggregationConfig.PREFILL;
  static final List<String> PREFILL_ROUTERS = List.of("round_robin", "random", "lor");
  static final List<String> DECODE_ROUTERS = List.of("free_kv", "round_robin", "lor");
  static final List<String> FIRST_TOKEN =
      List.of(DisaggregationConfig.DECODE, DisaggregationConfig.PREFILL);
  private static final String F = "cluster.disaggregation.";

  private Disaggregated() {}

  static Simulation prepare(SimulationConfig config, Catalog catalog, Path baseDir) {
    ClusterConfig c = config.cluster();
    DisaggregationConfig g = c.disaggregation();
    // the pools carry these; a cluster-level value other than the default contradicts them
    if (c.replicas() != 1) {
      throw contradiction("cluster.replicas", c.replicas(), "replicas");
    }
    if (c.expertParallel() != 1) {
      throw contradiction("cluster.expert_parallel", c.expertParallel(), "expert_parallel");
    }
    if (c.dataParallel() != 1) {
      throw ConfigException.invalid(
          "cluster.data_parallel",
          c.dataParallel(),
          "1 with cluster.disaggregation (attention data parallelism is not modelled per pool)");
    }
    var spec = config.speculative();
    if (spec != null && !Speculation.NONE.equals(spec.method())) {
      throw ConfigException.invalid(
          "speculative.method",
          spec.method(),
          "none with cluster.disaggregation (speculative decoding is not modelled on a decode pool)");
    }
    if (!"vllm_v1".equals(config.scheduler().type())) {
      throw ConfigException.invalid(
          "scheduler.type",
          config.scheduler().type(),
          "vllm_v1 with cluster.disaggregation (vLLM's KV connectors exist in its V1 engine only)");
    }
    if (!"round_robin".equals(config.router())) {
      throw ConfigException.invalid(
          "router",
          config.router(),
          "round_robin (the default) with cluster.disaggregation: set "
              + F
              + "prefill_router and "
              + F
              + "decode_router");
    }
    oneOf(F + "prefill_router", g.prefillRouter(), PREFILL_ROUTERS);
    oneOf(F + "decode_router", g.decodeRouter(), DECODE_ROUTERS);
    oneOf(F + "first_token", g.firstToken(), FIRST_TOKEN);
    Workloads.validate(config.workload(), baseDir);
    List<Simulation.PoolPlan> plans = new ArrayList<>();
    plans.add(pool("prefill", g.prefill(), config, catalog));
    plans.add(pool("decode", g.decode(), config, catalog));
    Simulation sim = Simulation.of(config, plans, baseDir);
    // every prefill replica must reach every decode replica over a link both ends have
    List<Deployment> ds = sim.deployments();
    LinkKvTransfer.Placement placement =
        LinkKvTransfer.Placement.of(
            ds, List.of(plans.get(0).schedulers(), plans.get(1).schedulers()));
    placement.check(F);
    return sim;
  }

  private static Simulation.PoolPlan pool(
      String name, PoolConfig p, SimulationConfig config, Catalog catalog) {
    String f = F + name + ".";
    ClusterConfig c = config.cluster();
    PoolConfig q = p != null ? p : new PoolConfig(null, null, null, null, null, null, null, null);
    int replicas = q.replicas() != null ? q.replicas() : 1;
    if (replicas < 1) {
      throw ConfigException.invalid(
          f + "replicas", replicas, "an integer ≥ 1 (a pool without replicas serves nothing)");
    }
    ClusterConfig pc =
        new ClusterConfig(
            c.model(),
            q.sku() != null ? q.sku() : c.sku(),
            q.node() != null ? q.node() : c.node(),
            q.tensorParallel() != null ? q.tensorParallel() : c.tensorParallel(),
            q.pipelineParallel() != null ? q.pipelineParallel() : c.pipelineParallel(),
            replicas,
            c.memoryMargin(),
            q.expertParallel() != null ? q.expertParallel() : 1,
            1,
            c.dtype(),
            c.kvCacheDtype(),
            null);
    Deployment d = Simulation.deployment(pc, catalog, f);
    SchedulerConfig s0 = config.scheduler();
    if (q.batchSizeCap() != null) {
      Simulation.positive(f + "batch_size_cap", q.batchSizeCap());
    }
    if (q.chunkSize() != null) {
      Simulation.positive(f + "chunk_size", q.chunkSize());
    }
    SchedulerConfig s =
        new SchedulerConfig(
            s0.type(),
            q.batchSizeCap() != null ? q.batchSizeCap() : s0.batchSizeCap(),
            s0.blockSize(),
            s0.watermarkFraction(),
            s0.numBlocks(),
            q.chunkSize() != null ? q.chunkSize() : s0.chunkSize(),
            s0.maxTokensInBatch(),
            s0.maxWaitingIters(),
            s0.prefixCaching(),
            s0.asyncScheduling(),
            s0.cpuOffloadGib(),
            s0.plugins());
    SchedulerRules rules = Simulation.checkScheduler(s, d, f);
    int maxTokens = config.workload().maxTokens();
    MemoryPlan plan;
    try {
      plan = rules.memoryPlan(s, d, c.memoryMargin(), maxTokens, rules.blockSize(s), null);
    } catch (ConfigException e) {
      // the model does not fit this pool's GPUs: name the pool's key, not the cluster's
      if (!e.field().equals("cluster.model")) {
        throw e;
      }
      throw new ConfigException(
          f + "tensor_parallel",
          "the " + name + " pool: " + e.getMessage().substring(e.field().length() + 2),
          e);
    }
    try {
      Simulation.checkCapacity(s, rules, plan, maxTokens);
    } catch (ConfigException e) {
      throw new ConfigException(
          e.field(),
          "the " + name + " pool: " + e.getMessage().substring(e.field().length() + 2),
          e);
    }
    return new Simulation.PoolPlan(name, d, plan, s, replicas);
  }

  private static ConfigException contradiction(String field, int value, String key) {
    return ConfigException.invalid(
        field,
        value,
        "1 with cluster.disaggregation (set "
            + F
            + "prefill."
            + key
            + " and "
            + F
            + "decode."
            + key
            + " instead)");
  }

  private static void oneOf(String field, String value, List<String> allowed) {
    if (value == null || !allowed.contains(value)) {
      throw ConfigException.invalid(field, value, String.join(", ", allowed));
    }
  }
}
