package io.llmcap.validate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.catalog.Catalog;
import io.llmcap.catalog.NodeSku;
import io.llmcap.catalog.Precision;
import io.llmcap.setup.ConfigLoader;
import io.llmcap.validate.ManifestRow.RowError;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Turns one manifest row into the run config that simulates it as the engine it names would run it:
 * same model, GPU, parallelism and server flags, the row's arrival process over its whole duration
 * (or request count), from an empty server, with fixed request lengths.
 */
final class RowConfig {
  private RowConfig() {}

  /** A row llmcap cannot simulate yet (unknown engine, model or feature), with the reason. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String reason) {
      super(reason);
    }
  }

  /** Engines llmcap models, as a manifest names them. */
  static final List<String> ENGINES = List.of("vllm");

  /**
   * vLLM's defaults where a manifest leaves a flag blank: {@code DEFAULT_MAX_NUM_BATCHED_TOKENS}
   * 2048 and {@code DEFAULT_MAX_NUM_SEQS} 128 ({@code vllm/config/scheduler.py}, 0.15.1), {@code
   * gpu_memory_utilization} 0.9 ({@code vllm/config/cache.py}).
   */
  static final int VLLM_MAX_NUM_BATCHED_TOKENS = 2048;

  static final int VLLM_MAX_NUM_SEQS = 128;
  static final double VLLM_GPU_MEMORY_UTILIZATION = 0.9;

  /**
   * The resolved config tree of the row's run, before the user's {@code --set} overrides.
   *
   * @throws Unsupported when llmcap cannot simulate the row
   * @throws RowError when a cell holds a bad value
   */
  static ObjectNode of(ManifestRow row, Catalog catalog) {
    String engine = row.text("engine");
    if (engine == null || !ENGINES.contains(engine.toLowerCase(Locale.ROOT))) {
      throw new Unsupported(
          "engine '" + engine + "' is not modelled; supported: " + String.join(", ", ENGINES));
    }
    String model = require(row, "model");
    if (!catalog.models().containsKey(model)) {
      throw new Unsupported("model '" + model + "' is not in the catalog");
    }
    String gpu = require(row, "gpu");
    if (!catalog.skus().containsKey(gpu)) {
      throw new Unsupported("GPU '" + gpu + "' is not in the catalog");
    }
    Precision weights = weights(row);
    Precision kvCache = kvCache(row);
    String arrival = require(row, "arrival").toLowerCase(Locale.ROOT);
    if (!List.of("constant", "poisson", "concurrency").contains(arrival)) {
      throw new RowError("arrival", "'" + arrival + "' must be constant, poisson or concurrency");
    }
    Double rate = null;
    Integer clients = null;
    if (arrival.equals("concurrency")) {
      clients = row.integer("concurrency", 1, null);
    } else {
      rate = row.positive("rate");
      if (rate == null) {
        throw new RowError("rate", "is required with arrival " + arrival);
      }
    }
    Double duration = row.positive("duration_s");
    Integer requests = row.text("num_requests") == null ? null : row.integer("num_requests", 1, 0);
    if (duration == null && requests == null) {
      throw new RowError("duration_s", "duration_s or num_requests is required");
    }

    ObjectNode tree = ConfigLoader.defaults();
    put(tree, "name", row.id());
    put(tree, "cluster.model", model);
    put(tree, "cluster.sku", gpu);
    put(tree, "cluster.node", row.text("node") != null ? row.text("node") : node(catalog, gpu));
    put(tree, "cluster.tensor_parallel", row.integer("tp", 1, null));
    put(tree, "cluster.pipeline_parallel", row.integer("pp", 1, 1));
    put(tree, "cluster.replicas", row.integer("replicas", 1, 1));
    if (weights != null) {
      put(tree, "cluster.dtype", weights.id());
    }
    if (kvCache != null) {
      put(tree, "cluster.kv_cache_dtype", kvCache.id());
    }
    double utilisation = fraction(row, "gpu_memory_utilization", VLLM_GPU_MEMORY_UTILIZATION);
    put(tree, "cluster.memory_margin", 1 - utilisation);

    put(tree, "scheduler.type", "vllm_v1");
    put(tree, "scheduler.prefix_caching", row.bool("prefix_caching", true));
    put(
        tree,
        "scheduler.chunk_size",
        row.integer("max_num_batched_tokens", 1, VLLM_MAX_NUM_BATCHED_TOKENS));
    put(tree, "scheduler.batch_size_cap", row.integer("max_num_seqs", 1, VLLM_MAX_NUM_SEQS));
    put(tree, "scheduler.cpu_offload_gib", cpuOffloadGib(row));

    int input = row.integer("input_tokens", 1, null);
    int output = row.integer("output_tokens", 1, null);
    int maxModelLen = row.integer("max_model_len", 2, Math.max(input + output, 2));
    if (input + output > maxModelLen) {
      throw new RowError(
          "max_model_len",
          maxModelLen + " is below input_tokens + output_tokens = " + (input + output));
    }
    ObjectNode w = (ObjectNode) tree.get("workload");
    w.putNull("preset");
    put(tree, "workload.max_tokens", maxModelLen);
    put(tree, "workload.length.type", "fixed");
    put(tree, "workload.length.prefill_tokens", input);
    put(tree, "workload.length.decode_tokens", output);
    if (clients != null) {
      put(tree, "workload.concurrency", clients);
    } else {
      put(tree, "workload.interval.type", arrival);
      put(tree, "workload.interval.qps", rate);
    }
    int groups = row.integer("prefix_groups", 0, 0);
    if (groups > 0) {
      put(tree, "workload.shared_prefix.groups", groups);
      put(tree, "workload.shared_prefix.users_per_group", row.integer("users_per_group", 1, 1));
      put(
          tree,
          "workload.shared_prefix.prefix_tokens",
          row.integer("shared_prefix_tokens", 1, null));
    }
    if (requests != null) {
      put(tree, "workload.num_requests", requests);
    } else {
      w.putNull("num_requests");
      put(tree, "workload.duration", duration);
    }
    put(tree, "metrics.batch_metrics", false);
    put(tree, "metrics.chrome_trace", false);
    return tree;
  }

  /**
   * The weights' format of the {@code dtype} cell (vLLM's {@code --dtype}, or the checkpoint's
   * format such as {@code fp8}): null when blank or {@code auto} (the checkpoint's own).
   */
  private static Precision weights(ManifestRow row) {
    String v = row.text("dtype");
    if (v == null || v.equalsIgnoreCase("auto")) {
      return null;
    }
    if (List.of("float32", "fp32", "float").contains(v.toLowerCase(Locale.ROOT))) {
      throw new Unsupported("dtype '" + v + "': 32-bit weights are not modelled");
    }
    return precision(row, "dtype", v, DTYPES);
  }

  /**
   * The KV cache's format of the {@code kv_cache_dtype} cell (vLLM's {@code --kv-cache-dtype}):
   * null when blank or {@code auto} (the activations' 16 bits). vLLM's fp8 variants ({@code
   * fp8_e4m3}, {@code fp8_e5m2}) all store one byte per element: fp8 here.
   */
  private static Precision kvCache(ManifestRow row) {
    String v = row.text("kv_cache_dtype");
    if (v == null || v.equalsIgnoreCase("auto")) {
      return null;
    }
    String lower = v.toLowerCase(Locale.ROOT);
    Precision p =
        lower.startsWith("fp8_") ? Precision.FP8 : precision(row, "kv_cache_dtype", v, KV_DTYPES);
    if (!p.kvCacheFormat()) {
      throw new Unsupported(
          "kv_cache_dtype '" + v + "': only 16-bit and fp8 KV caches are modelled");
    }
    return p;
  }

  static final String DTYPES =
      "auto, float16/fp16, bfloat16/bf16, fp8, int4 (awq, gptq), nvfp4, mxfp4";
  static final String KV_DTYPES = "auto, float16/fp16, bfloat16/bf16, fp8 (fp8_e4m3, fp8_e5m2)";

  private static Precision precision(ManifestRow row, String column, String v, String allowed) {
    try {
      return Precision.parse(column, v);
    } catch (ConfigException e) {
      throw new RowError(column, "'" + v + "' is not a format llmcap knows; allowed: " + allowed);
    }
  }

  /**
   * The host-memory KV tier of the {@code cpu_kv_offload_gib} cell (vLLM's {@code
   * --kv-offloading-size}, GiB per replica): 0, no tier, when blank.
   */
  private static double cpuOffloadGib(ManifestRow row) {
    Double v = row.number("cpu_kv_offload_gib");
    if (v == null) {
      return 0;
    }
    if (v < 0) {
      throw new RowError(
          "cpu_kv_offload_gib", "'" + row.text("cpu_kv_offload_gib") + "' must be ≥ 0 (0: off)");
    }
    return v;
  }

  /**
   * The node type of a row that names none: the catalog's largest server of that GPU (an 8-GPU
   * NVSwitch box for data-centre SKUs), where benchmarks usually run.
   */
  private static String node(Catalog catalog, String gpu) {
    return catalog.nodes().values().stream()
        .filter(n -> n.sku().equals(gpu))
        .max(Comparator.comparingInt(NodeSku::devicesPerNode))
        .map(NodeSku::name)
        .orElseThrow(() -> new Unsupported("no node type of GPU '" + gpu + "' in the catalog"));
  }

  private static String require(ManifestRow row, String column) {
    String v = row.text(column);
    if (v == null) {
      throw new RowError(column, "is required");
    }
    return v;
  }

  private static double fraction(ManifestRow row, String column, double fallback) {
    Double v = row.number(column);
    if (v == null) {
      return fallback;
    }
    if (!(v > 0 && v <= 1)) {
      throw new RowError(column, "'" + row.text(column) + "' must be in (0, 1]");
    }
    return v;
  }

  /** Sets a dotted key of the tree (one of the defaults') to a typed value. */
  private static void put(ObjectNode tree, String key, Object value) {
    ConfigLoader.put(tree, key, Yaml.yaml().valueToTree(value));
  }
}
