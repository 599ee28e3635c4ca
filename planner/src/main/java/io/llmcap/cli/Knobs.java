package io.llmcap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Flags for the knobs people change most; each is shorthand for one {@code --set key=value}. Values
 * stay strings here so that the config loader validates them with field names.
 */
final class Knobs {
  @Option(names = "--model", description = "cluster.model: Hugging Face id (see `llmcap catalog`)")
  String model;

  @Option(names = "--sku", description = "cluster.sku: GPU SKU")
  String sku;

  @Option(names = "--node", description = "cluster.node: node type")
  String node;

  @Option(names = "--tp", description = "cluster.tensor_parallel")
  String tp;

  @Option(names = "--pp", description = "cluster.pipeline_parallel")
  String pp;

  @Option(names = "--replicas", description = "cluster.replicas")
  String replicas;

  @Option(names = "--router", description = "router: round_robin | random | lor")
  String router;

  @Option(
      names = "--scheduler",
      description = "scheduler.type: vllm | sarathi | orca | faster_transformer | lightllm")
  String scheduler;

  @Option(names = "--chunk-size", description = "scheduler.chunk_size (sarathi)")
  String chunkSize;

  @Option(names = "--batch-size-cap", description = "scheduler.batch_size_cap")
  String batchSizeCap;

  @Option(names = "--preset", description = "workload.preset: chat | code | summarization | null")
  String preset;

  @Option(names = "--qps", description = "workload.interval.qps")
  String qps;

  @Option(names = "--num-requests", description = "workload.num_requests")
  String numRequests;

  @Option(names = "--max-tokens", description = "workload.max_tokens")
  String maxTokens;

  @Option(names = "--trace", description = "workload.trace.file: replay this trace")
  String trace;

  @Option(names = "--seed", description = "seed")
  String seed;

  @Option(names = "--name", description = "name: run name (default folder runs/<name>-<time>)")
  String name;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "override any config key (repeatable), e.g. --set scheduler.block_size=32")
  List<String> sets = new ArrayList<>();

  /** The overrides these flags stand for, flags first, then the explicit --set ones. */
  List<String> assignments() {
    List<String> out = new ArrayList<>();
    add(out, "cluster.model", model);
    add(out, "cluster.sku", sku);
    add(out, "cluster.node", node);
    add(out, "cluster.tensor_parallel", tp);
    add(out, "cluster.pipeline_parallel", pp);
    add(out, "cluster.replicas", replicas);
    add(out, "router", router);
    add(out, "scheduler.type", scheduler);
    add(out, "scheduler.chunk_size", chunkSize);
    add(out, "scheduler.batch_size_cap", batchSizeCap);
    add(out, "workload.preset", preset);
    add(out, "workload.interval.qps", qps);
    add(out, "workload.num_requests", numRequests);
    add(out, "workload.max_tokens", maxTokens);
    // a path given on the command line is relative to where the command runs, not to the config
    add(
        out,
        "workload.trace.file",
        trace == null ? null : Path.of(trace).toAbsolutePath().toString());
    add(out, "seed", seed);
    add(out, "name", name);
    out.addAll(sets);
    return out;
  }

  private static void add(List<String> out, String key, String value) {
    if (value != null) {
      out.add(key + "=" + value);
    }
  }

  /** Every config key with its default, one per line, for the help footer. */
  static String describeDefaults(JsonNode tree) {
    StringBuilder sb = new StringBuilder();
    flatten(tree, "", sb);
    return sb.toString();
  }

  private static void flatten(JsonNode node, String prefix, StringBuilder sb) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(e.getValue(), key, sb);
      } else {
        sb.append("  ").append(key).append(" = ").append(e.getValue().asText()).append('\n');
      }
    }
  }
}
