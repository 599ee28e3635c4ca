package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.setup.ConfigLoader;
import java.nio.file.Path;

/**
 * A probe's run config, built with typed setters over the default config tree: each setter writes
 * one known key (no {@code key=value} strings to parse), and the tree is bound and validated by
 * {@link ConfigLoader#bind} as a config file would be. A setter naming a key the defaults lack is a
 * programming error and throws.
 */
public final class ProbeConfig {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final ObjectNode tree = ConfigLoader.defaults();
  private final Path baseDir;

  /** {@code baseDir}: the search config's folder, against which its relative paths resolve. */
  public ProbeConfig(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** The search config's folder. */
  public Path baseDir() {
    return baseDir;
  }

  /** The config tree, for {@link ConfigLoader#bind}. */
  public ObjectNode tree() {
    return tree;
  }

  public ProbeConfig name(String name) {
    return put("name", F.textNode(name));
  }

  public ProbeConfig seed(long seed) {
    return put("seed", F.numberNode(seed));
  }

  public ProbeConfig model(String model) {
    return put("cluster.model", F.textNode(model));
  }

  public ProbeConfig sku(String sku) {
    return put("cluster.sku", F.textNode(sku));
  }

  public ProbeConfig node(String node) {
    return put("cluster.node", F.textNode(node));
  }

  public ProbeConfig tensorParallel(int tp) {
    return put("cluster.tensor_parallel", F.numberNode(tp));
  }

  public ProbeConfig pipelineParallel(int pp) {
    return put("cluster.pipeline_parallel", F.numberNode(pp));
  }

  /** The weights' format ({@code cluster.dtype}: a {@link io.llmcap.catalog.Precision} id). */
  public ProbeConfig dtype(String dtype) {
    return put("cluster.dtype", F.textNode(dtype));
  }

  /** The KV cache's format ({@code cluster.kv_cache_dtype}: fp16, bf16 or fp8). */
  public ProbeConfig kvCacheDtype(String dtype) {
    return put("cluster.kv_cache_dtype", F.textNode(dtype));
  }

  /** The expert-parallel degree of MoE layers: 1, or tensor_parallel × data_parallel. */
  public ProbeConfig expertParallel(int ep) {
    return put("cluster.expert_parallel", F.numberNode(ep));
  }

  /**
   * One pool of a disaggregated deployment ({@code cluster.disaggregation.prefill} or {@code
   * .decode}): SKU, node type, TP, PP, EP degree, replicas and the pool's batch size cap.
   */
  public record PoolSettings(
      String sku, String node, int tp, int pp, int ep, int replicas, long batchSizeCap) {}

  /**
   * A disaggregated deployment: the {@code cluster.disaggregation} block with both pools and their
   * routers, merged as a run config's block is (the keys this leaves out keep the engine's
   * defaults; a key the engine lacks throws).
   */
  public ProbeConfig disaggregation(
      PoolSettings prefill, PoolSettings decode, String prefillRouter, String decodeRouter) {
    ObjectNode block = F.objectNode();
    block.set("prefill", pool(prefill));
    block.set("decode", pool(decode));
    block.put("prefill_router", prefillRouter);
    block.put("decode_router", decodeRouter);
    ObjectNode overlay = F.objectNode();
    overlay.putObject("cluster").set("disaggregation", block);
    ConfigLoader.merge(tree, overlay, "");
    return this;
  }

  private static ObjectNode pool(PoolSettings p) {
    ObjectNode n = F.objectNode();
    n.put("sku", p.sku());
    n.put("node", p.node());
    n.put("tensor_parallel", p.tp());
    n.put("pipeline_parallel", p.pp());
    n.put("expert_parallel", p.ep());
    n.put("replicas", p.replicas());
    n.put("batch_size_cap", p.batchSizeCap());
    return n;
  }

  public ProbeConfig replicas(int replicas) {
    return put("cluster.replicas", F.numberNode(replicas));
  }

  public ProbeConfig router(String router) {
    return put("router", F.textNode(router));
  }

  /**
   * The options block of router {@code name} ({@code router_options.<name>}), merged over its
   * defaults as a run config's block is (a key the router lacks throws).
   */
  public ProbeConfig routerOptions(String name, JsonNode options) {
    ObjectNode overlay = F.objectNode();
    overlay.putObject("router_options").set(name, options);
    ConfigLoader.merge(tree, overlay, "");
    return this;
  }

  public ProbeConfig scheduler(String type) {
    return put("scheduler.type", F.textNode(type));
  }

  /** The replica's batch size cap (all micro-batches together). */
  public ProbeConfig batchSizeCap(long cap) {
    return put("scheduler.batch_size_cap", F.numberNode(cap));
  }

  public ProbeConfig chunkSize(int chunk) {
    return put("scheduler.chunk_size", F.numberNode(chunk));
  }

  public ProbeConfig maxTokensInBatch(int tokens) {
    return put("scheduler.max_tokens_in_batch", F.numberNode(tokens));
  }

  /** vLLM's automatic prefix caching ({@code scheduler.prefix_caching}, vllm_v1). */
  public ProbeConfig prefixCaching(boolean on) {
    return put("scheduler.prefix_caching", F.booleanNode(on));
  }

  /** GiB of host memory per replica for the KV cache's CPU tier (0: none). */
  public ProbeConfig cpuOffloadGib(double gib) {
    return put("scheduler.cpu_offload_gib", F.numberNode(gib));
  }

  public ProbeConfig numRequests(long n) {
    return put("workload.num_requests", F.numberNode(n));
  }

  public ProbeConfig maxTokens(int tokens) {
    return put("workload.max_tokens", F.numberNode(tokens));
  }

  /** Poisson arrivals at {@code qps}. */
  public ProbeConfig poisson(double qps) {
    put("workload.interval.type", F.textNode("poisson"));
    return put("workload.interval.qps", F.numberNode(qps));
  }

  /** Lengths from a built-in preset. */
  public ProbeConfig preset(String preset) {
    return put("workload.preset", F.textNode(preset));
  }

  /** Lengths from a trace CSV (no preset). */
  public ProbeConfig traceLengths(Path file) {
    put("workload.preset", F.nullNode());
    put("workload.length.type", F.textNode("trace"));
    return put("workload.length.file", F.textNode(file.toString()));
  }

  /** Fixed lengths (no preset). */
  public ProbeConfig fixedLengths(int prefillTokens, int decodeTokens) {
    put("workload.preset", F.nullNode());
    put("workload.length.type", F.textNode("fixed"));
    put("workload.length.prefill_tokens", F.numberNode(prefillTokens));
    return put("workload.length.decode_tokens", F.numberNode(decodeTokens));
  }

  /**
   * Multi-turn sessions ({@code workload.sessions}): the keys the entry sets, the rest at their
   * defaults; no preset, as the sessions give the lengths. A session file resolves against the
   * search config's folder.
   */
  public ProbeConfig sessions(SearchSpace.SessionsEntry s) {
    put("workload.preset", F.nullNode());
    put("workload.sessions.type", F.textNode(s.type()));
    if (s.preset() != null) {
      put("workload.sessions.preset", F.textNode(s.preset()));
    }
    if (s.file() != null) {
      put(
          "workload.sessions.file",
          F.textNode(baseDir.resolve(s.file()).toAbsolutePath().toString()));
    }
    Object[][] numbers = {
      {"system_prompts", s.systemPrompts()},
      {"system_prompt_tokens", s.systemPromptTokens()},
      {"turns", s.turns()},
      {"first_input_tokens", s.firstInputTokens()},
      {"input_tokens", s.inputTokens()},
      {"output_tokens", s.outputTokens()},
      {"length_cv", s.lengthCv()},
      {"think_time", s.thinkTime()}
    };
    for (Object[] n : numbers) {
      if (n[1] instanceof Integer i) {
        put("workload.sessions." + n[0], F.numberNode(i));
      } else if (n[1] instanceof Double d) {
        put("workload.sessions." + n[0], F.numberNode(d));
      }
    }
    return this;
  }

  public ProbeConfig predictor(String type) {
    return put("predictor.type", F.textNode(type));
  }

  public ProbeConfig predictorProfiles(Path profiles) {
    return put("predictor.profiles", F.textNode(profiles.toString()));
  }

  /** Speculative decoding; {@code draftModel} null keeps the default. */
  public ProbeConfig speculative(String method, String draftModel, int k, double acceptanceRate) {
    put("speculative.method", F.textNode(method));
    if (draftModel != null) {
      put("speculative.draft_model", F.textNode(draftModel));
    }
    put("speculative.num_speculative_tokens", F.numberNode(k));
    return put("speculative.acceptance_rate", F.numberNode(acceptanceRate));
  }

  /** Per-batch metrics and the Chrome trace: a search needs neither. */
  public ProbeConfig batchMetrics(boolean batchMetrics, boolean chromeTrace) {
    put("metrics.batch_metrics", F.booleanNode(batchMetrics));
    return put("metrics.chrome_trace", F.booleanNode(chromeTrace));
  }

  /** Sets one dotted key of the tree; the key must exist in the defaults. */
  private ProbeConfig put(String dotted, JsonNode value) {
    ConfigLoader.put(tree, dotted, value);
    return this;
  }
}
