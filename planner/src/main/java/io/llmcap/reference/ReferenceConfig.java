package io.llmcap.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.Yaml;
import io.llmcap.predictors.Predictors;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Translates a {@code config.json} written by the reference simulator (Vidur) into llmcap config
 * keys. Its trace files live in the reference's repository, so a length trace named after one of
 * the public traces maps to the preset fitted to it; {@code --requests} replays exact requests.
 */
public final class ReferenceConfig {
  /** The llmcap keys to overlay on the defaults, and what the reader should know about them. */
  public record Translation(ObjectNode overlay, List<String> notes) {}

  private static final Map<String, String> TRACE_PRESETS =
      Map.of(
          "splitwise_conv", "chat",
          "splitwise_code", "code",
          "arxiv_summarization", "summarization");

  private ReferenceConfig() {}

  /**
   * @param profiles profile folders in the reference layout (earlier ones first, later ones filling
   *     files they lack); when given, the run predicts over them with the reference's model: its
   *     random forest with the same settings, or LightGBM when the reference used another model
   */
  public static Translation translate(JsonNode ref, Path requests, List<Path> profiles) {
    List<String> notes = new ArrayList<>();
    ObjectNode o = Yaml.yaml().createObjectNode();
    predictor(ref.path("execution_time_predictor_config"), profiles, o, notes);
    JsonNode cluster = need(ref, "cluster_config");
    JsonNode replica = need(cluster, "replica_config");
    o.put("name", "reference");
    o.put("seed", need(ref, "seed").asLong());
    o.put("time_limit", ref.path("time_limit").asDouble(0));
    ObjectNode c = o.putObject("cluster");
    c.put("model", text(replica, "model_name"));
    c.put("sku", text(replica, "device"));
    c.put("node", text(replica, "network_device"));
    c.put("tensor_parallel", need(replica, "tensor_parallel_size").asInt());
    c.put("pipeline_parallel", need(replica, "num_pipeline_stages").asInt());
    c.put("replicas", need(cluster, "num_replicas").asInt());
    c.put("memory_margin", need(replica, "memory_margin_fraction").asDouble());
    o.put("router", text(need(cluster, "global_scheduler_config"), "name"));

    JsonNode rs = need(cluster, "replica_scheduler_config");
    ObjectNode s = o.putObject("scheduler");
    s.put("type", text(rs, "name"));
    s.put("batch_size_cap", need(rs, "batch_size_cap").asInt());
    s.put("block_size", need(rs, "block_size").asInt());
    s.put("watermark_fraction", rs.path("watermark_blocks_fraction").asDouble(0.01));
    if (rs.hasNonNull("num_blocks")) {
      s.put("num_blocks", rs.get("num_blocks").asInt());
    }
    copyInt(rs, "chunk_size", s, "chunk_size");
    copyInt(rs, "max_tokens_in_batch", s, "max_tokens_in_batch");
    copyInt(rs, "max_waiting_iters", s, "max_waiting_iters");

    JsonNode gen = need(ref, "request_generator_config");
    ObjectNode w = o.putObject("workload");
    w.put("max_tokens", gen.path("max_tokens").asInt(4096));
    if (requests != null) {
      if (!Files.isRegularFile(requests)) {
        throw new ConfigException("--requests", "no such file: " + requests);
      }
      w.putNull("preset");
      w.putNull("num_requests");
      ObjectNode t = w.putObject("trace");
      t.put("file", requests.toAbsolutePath().toString());
      t.put("format", "llmcap");
      notes.add("replaying the exact requests in " + requests);
      return new Translation(o, notes);
    }
    String kind = text(gen, "name");
    if (!"synthetic".equals(kind)) {
      throw new ConfigException(
          "request_generator_config.name",
          "'" + kind + "' needs the reference's trace file; pass --requests FILE to replay one");
    }
    if (gen.hasNonNull("num_requests")) {
      w.put("num_requests", gen.get("num_requests").asInt());
    } else {
      w.putNull("num_requests");
    }
    if (gen.hasNonNull("duration")) {
      w.put("duration", gen.get("duration").asDouble());
    }
    lengths(need(gen, "length_generator_config"), w, notes);
    intervals(need(gen, "interval_generator_config"), w);
    return new Translation(o, notes);
  }

  private static void predictor(
      JsonNode etp, List<Path> profiles, ObjectNode o, List<String> notes) {
    if (profiles.isEmpty()) {
      notes.add(
          "the reference predicted operator times from its profiles; pass --profiles DIR to do"
              + " the same, this run uses the default predictor");
      return;
    }
    for (Path p : profiles) {
      if (!Files.isDirectory(p)) {
        throw new ConfigException("--profiles", "'" + p + "' is not a directory");
      }
    }
    ObjectNode pred = o.putObject("predictor");
    pred.put("profiles", joinProfiles(profiles));
    String where = profiles.stream().map(Path::toString).collect(Collectors.joining(" + "));
    String model = etp.path("name").asText("");
    if (!model.equals("random_forrest") && !model.equals("random_forest")) {
      pred.put("type", Predictors.LIGHTGBM);
      notes.add(
          "the reference predicted with '"
              + model
              + "'; operator times here come from LightGBM over the profiles in "
              + where);
      return;
    }
    pred.put("type", Predictors.RANDOM_FOREST);
    ObjectNode forest = pred.putObject(Predictors.RANDOM_FOREST);
    int trees = first(etp, "num_estimators", 250, notes);
    int depth = first(etp, "max_depth", 32, notes);
    int split = first(etp, "min_samples_split", 2, notes);
    forest.put("trees", trees);
    forest.put("max_depth", depth);
    // A split needs min_samples_split rows, so each side of the smallest one holds half of them.
    forest.put("min_samples_leaf", Math.max(1, split / 2));
    notes.add(
        "operator times from a random forest as the reference's ("
            + trees
            + " trees, depth "
            + depth
            + ") over the profiles in "
            + where);
  }

  /** The first value of one of the reference's hyperparameter lists (it grid-searched them). */
  private static int first(JsonNode etp, String key, int absent, List<String> notes) {
    JsonNode v = etp.path(key);
    if (v.isInt()) {
      return v.asInt();
    }
    if (!v.isArray() || v.isEmpty()) {
      return absent;
    }
    if (v.size() > 1) {
      notes.add(
          "the reference grid-searched "
              + key
              + " "
              + v
              + " by cross-validation; this run takes the first value, "
              + v.get(0).asInt());
    }
    return v.get(0).asInt();
  }

  /** {@code predictor.profiles} for several folders: absolute paths, path-separator joined. */
  public static String joinProfiles(List<Path> profiles) {
    return profiles.stream()
        .map(p -> p.toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void lengths(JsonNode lg, ObjectNode w, List<String> notes) {
    String type = text(lg, "name");
    ObjectNode l = w.putObject("length");
    w.putNull("preset");
    switch (type) {
      case "trace" -> {
        String file = text(lg, "trace_file");
        String preset =
            TRACE_PRESETS.entrySet().stream()
                .filter(e -> file.contains(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(
                    () ->
                        new ConfigException(
                            "length_generator_config.trace_file",
                            "'"
                                + file
                                + "' is not one of the public traces llmcap has a preset"
                                + " for ("
                                + String.join(", ", TRACE_PRESETS.keySet())
                                + "); pass --requests FILE to replay exact requests"));
        w.put("preset", preset);
        notes.add("lengths from preset '" + preset + "', fitted to " + file);
      }
      case "fixed" -> {
        l.put("type", "fixed");
        l.put("prefill_tokens", need(lg, "prefill_tokens").asInt());
        l.put("decode_tokens", need(lg, "decode_tokens").asInt());
      }
      case "uniform", "zipf" -> {
        l.put("type", type);
        l.put("min_tokens", need(lg, "min_tokens").asInt());
        l.put("prefill_to_decode_ratio", need(lg, "prefill_to_decode_ratio").asDouble());
        if ("zipf".equals(type)) {
          l.put("theta", need(lg, "theta").asDouble());
        }
      }
      default ->
          throw ConfigException.unknown(
              "length_generator_config.name",
              "length generator",
              type,
              List.of("trace", "fixed", "uniform", "zipf"));
    }
  }

  private static void intervals(JsonNode ig, ObjectNode w) {
    String type = text(ig, "name");
    ObjectNode i = w.putObject("interval");
    switch (type) {
      case "poisson" -> {
        i.put("type", "poisson");
        i.put("qps", need(ig, "qps").asDouble());
      }
      case "gamma" -> {
        i.put("type", "gamma");
        i.put("qps", need(ig, "qps").asDouble());
        i.put("cv", need(ig, "cv").asDouble());
      }
      case "static" -> i.put("type", "static");
      default ->
          throw ConfigException.unknown(
              "interval_generator_config.name",
              "interval generator",
              type,
              List.of("poisson", "gamma", "static"));
    }
  }

  private static void copyInt(JsonNode from, String key, ObjectNode to, String toKey) {
    if (from.hasNonNull(key)) {
      to.put(toKey, from.get(key).asInt());
    }
  }

  private static JsonNode need(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw new ConfigException(key, "missing from the reference config");
    }
    return v;
  }

  private static String text(JsonNode node, String key) {
    return need(node, key).asText();
  }
}
