package io.llmcap.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmcap.base.ConfigException;
import io.llmcap.base.DidYouMean;
import io.llmcap.base.Yaml;
import io.llmcap.catalog.Catalog;
import io.llmcap.scheduler.Schedulers;
import io.llmcap.search.SearchSpace.ClusterEntry;
import io.llmcap.search.SearchSpace.ModelEntry;
import io.llmcap.search.SearchSpace.PredictorEntry;
import io.llmcap.search.SearchSpace.SchedulerEntry;
import io.llmcap.search.SearchSpace.SearchSettings;
import io.llmcap.search.SearchSpace.SpeculativeEntry;
import io.llmcap.search.SearchSpace.WorkloadEntry;
import io.llmcap.setup.ConfigLoader;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Reads a search space from YAML, fills in defaults and checks every field. */
public final class SearchSpaces {
  private SearchSpaces() {}

  public static SearchSpace load(Path file) {
    return load(file, List.of());
  }

  /**
   * Reads the file, applies {@code key=value} overrides (dotted keys into mappings, values read as
   * YAML, so {@code tensor_parallel=[1,2]} works), then normalizes.
   */
  public static SearchSpace load(Path file, List<String> overrides) {
    return load(file, overrides, Dimensions.DEFAULT);
  }

  /**
   * As {@link #load(Path, List)}, with the keys of the {@code dimensions} that read their own key
   * read and validated by them (see {@link Dimension#parse}).
   */
  public static SearchSpace load(Path file, List<String> overrides, Dimensions dimensions) {
    String label = file.toString();
    JsonNode tree = ConfigLoader.readFile(file);
    if (!tree.isObject()) {
      throw new ConfigException(label, "expected a mapping of keys");
    }
    for (String o : overrides) {
      set((ObjectNode) tree, o);
    }
    checkKeys(tree, label, dimensions);
    Map<String, List<Object>> owned = new LinkedHashMap<>();
    for (Dimension<?> d : dimensions.all()) {
      if (d.ownsKey() && tree.has(d.key())) {
        JsonNode node = ((ObjectNode) tree).remove(d.key());
        owned.put(d.key(), new ArrayList<>(d.parse(node, label + ": " + d.key())));
      }
    }
    SearchSpace raw = Yaml.bind(tree, SearchSpace.class, label);
    return normalize(raw, label, owned.isEmpty() ? null : owned);
  }

  /**
   * Rejects a top-level key that is neither a field of {@link SearchSpace} nor a dimension's own
   * key, as binding would, listing the keys allowed ({@code dimensions} is not one).
   */
  private static void checkKeys(JsonNode tree, String label, Dimensions dimensions) {
    List<String> allowed = new ArrayList<>();
    for (RecordComponent c : SearchSpace.class.getRecordComponents()) {
      if (!c.getName().equals("dimensions")) {
        allowed.add(ResultColumns.snake(c.getName()));
      }
    }
    for (Dimension<?> d : dimensions.all()) {
      if (d.ownsKey()) {
        allowed.add(d.key());
      }
    }
    allowed.sort(Comparator.naturalOrder());
    Iterator<String> keys = tree.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!allowed.contains(key)) {
        throw new ConfigException(
            label + ": " + key,
            "unknown key '"
                + key
                + "'"
                + DidYouMean.hint(key, allowed)
                + "; allowed keys: "
                + String.join(", ", allowed));
      }
    }
  }

  /** A search space has no defaults tree to merge into, so an override is written in place. */
  private static void set(ObjectNode tree, String assignment) {
    ConfigLoader.Assignment a = ConfigLoader.Assignment.parse(assignment, "--set ");
    String[] parts = a.path();
    ObjectNode cursor = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode next = cursor.get(parts[i]);
      if (next == null || next.isNull()) {
        next = cursor.putObject(parts[i]);
      } else if (!next.isObject()) {
        throw new ConfigException(
            "--set " + a.key(), "'" + parts[i] + "' is not a mapping; set the whole value instead");
      }
      cursor = (ObjectNode) next;
    }
    cursor.set(parts[parts.length - 1], a.value());
  }

  /** Applies defaults and validates; the result has no null where a value is needed. */
  public static SearchSpace normalize(SearchSpace s, String file) {
    return normalize(s, file, s.dimensions());
  }

  private static SearchSpace normalize(
      SearchSpace s, String file, Map<String, List<Object>> dimensions) {
    String p = file + ": ";
    if (s.name() == null || !s.name().matches("[A-Za-z0-9._-]+")) {
      throw ConfigException.invalid(p + "name", s.name(), "letters, digits, '.', '_' or '-'");
    }
    List<ModelEntry> models = nonEmpty(s.models(), p + "models");
    List<ModelEntry> normModels = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      ModelEntry m = models.get(i);
      if (m.name() == null) {
        throw new ConfigException(p + "models[" + i + "].name", "missing");
      }
      normModels.add(new ModelEntry(m.name(), m.excludeTp() == null ? List.of() : m.excludeTp()));
    }
    unique(normModels, ModelEntry::name, p + "models");
    List<ClusterEntry> clusters = nonEmpty(s.clusters(), p + "clusters");
    for (int i = 0; i < clusters.size(); i++) {
      ClusterEntry c = clusters.get(i);
      String f = p + "clusters[" + i + "]";
      if (c.sku() == null || c.node() == null) {
        throw new ConfigException(f, "needs sku, node and gpus");
      }
      if (c.gpus() == null || c.gpus() < 1) {
        throw ConfigException.invalid(f + ".gpus", c.gpus(), "a GPU budget ≥ 1");
      }
    }
    unique(clusters, c -> c.gpus() + " x " + c.sku() + " in " + c.node(), p + "clusters");
    List<Integer> tps = positives(s.tensorParallel(), List.of(1), p + "tensor_parallel");
    List<Integer> pps = positives(s.pipelineParallel(), List.of(1), p + "pipeline_parallel");
    List<Integer> replicas =
        s.replicas() == null ? null : positives(s.replicas(), null, p + "replicas");
    List<SchedulerEntry> schedulers = new ArrayList<>();
    List<SchedulerEntry> rawSchedulers = nonEmpty(s.schedulers(), p + "schedulers");
    for (int i = 0; i < rawSchedulers.size(); i++) {
      SchedulerEntry e = rawSchedulers.get(i);
      String f = p + "schedulers[" + i + "]";
      if (!Schedulers.names().contains(e.type())) {
        throw ConfigException.unknown(f + ".type", "scheduler", e.type(), Schedulers.names());
      }
      schedulers.add(
          new SchedulerEntry(
              e.type(),
              e.chunkSizes() == null ? null : positives(e.chunkSizes(), null, f + ".chunk_sizes"),
              e.maxTokensInBatch() == null
                  ? null
                  : positives(e.maxTokensInBatch(), null, f + ".max_tokens_in_batch")));
    }
    List<Integer> caps = positives(s.batchSizeCaps(), List.of(128), p + "batch_size_caps");
    List<WorkloadEntry> workloads = new ArrayList<>();
    List<WorkloadEntry> rawWorkloads = nonEmpty(s.workloads(), p + "workloads");
    for (int i = 0; i < rawWorkloads.size(); i++) {
      workloads.add(workload(rawWorkloads.get(i), p + "workloads[" + i + "]"));
    }
    unique(workloads, WorkloadEntry::name, p + "workloads");
    List<Slo> slos = s.slos() == null ? Slo.DEFAULTS : nonEmpty(s.slos(), p + "slos");
    for (int i = 0; i < slos.size(); i++) {
      slos.get(i).validate(p + "slos[" + i + "]");
    }
    SearchSettings raw =
        s.search() == null ? new SearchSettings(null, null, null, null, null, null) : s.search();
    SearchSettings settings =
        new SearchSettings(
            raw.granularity() == null ? 0.025 : raw.granularity(),
            raw.maxProbes() == null ? 20 : raw.maxProbes(),
            raw.minQps() == null ? 0.01 : raw.minQps(),
            raw.earlyStop() == null || raw.earlyStop(),
            raw.seeds() == null ? 1 : raw.seeds(),
            raw.estimate() == null || raw.estimate());
    if (!(settings.granularity() > 0 && settings.granularity() < 1)) {
      throw ConfigException.invalid(
          p + "search.granularity", settings.granularity(), "a fraction in (0, 1), e.g. 0.025");
    }
    if (settings.maxProbes() < 2) {
      throw ConfigException.invalid(p + "search.max_probes", settings.maxProbes(), "at least 2");
    }
    if (settings.seeds() < 1 || settings.seeds() > 30) {
      throw ConfigException.invalid(p + "search.seeds", settings.seeds(), "an integer in 1..30");
    }
    if (!(settings.minQps() > 0)) {
      throw ConfigException.invalid(p + "search.min_qps", settings.minQps(), "a positive QPS");
    }
    PredictorEntry predictor =
        s.predictor() == null
            ? new PredictorEntry(
                ConfigLoader.defaults().path("predictor").path("type").asText(), null)
            : s.predictor();
    List<SpeculativeEntry> speculative = null;
    if (s.speculative() != null) {
      speculative = new ArrayList<>();
      List<SpeculativeEntry> rawSpec = nonEmpty(s.speculative(), p + "speculative");
      for (int i = 0; i < rawSpec.size(); i++) {
        speculative.add(speculative(rawSpec.get(i), p + "speculative[" + i + "]"));
      }
      unique(speculative, e -> e.speculates() ? e.toString() : "plain", p + "speculative");
    }
    return new SearchSpace(
        s.name(),
        s.seed() == null ? 42L : s.seed(),
        normModels,
        clusters,
        tps,
        pps,
        replicas,
        schedulers,
        caps,
        workloads,
        s.priceBook() == null
            ? Catalog.builtin().defaultPriceBook(skus(clusters, dimensions)).name()
            : s.priceBook(),
        slos,
        settings,
        predictor,
        speculative,
        dimensions);
  }

  /** The SKUs a search prices: its clusters' and its disaggregated pools'. */
  private static List<String> skus(
      List<ClusterEntry> clusters, Map<String, List<Object>> dimensions) {
    Set<String> out = new java.util.LinkedHashSet<>();
    clusters.forEach(c -> out.add(c.sku()));
    if (dimensions != null) {
      for (List<Object> values : dimensions.values()) {
        for (Object v : values) {
          if (v instanceof DisaggregationDimension.Layout l) {
            out.add(l.prefill().sku());
            out.add(l.decode().sku());
          }
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * An entry with defaults filled in ({@code defaults.yaml}'s). The simulation's own validation
   * ({@link io.llmcap.engine.Speculation}) checks the values when the space expands.
   */
  private static SpeculativeEntry speculative(SpeculativeEntry e, String f) {
    JsonNode d = ConfigLoader.defaults().path("speculative");
    SpeculativeEntry n =
        new SpeculativeEntry(
            e.method() == null ? d.path("method").asText() : e.method(),
            e.draftModel(),
            e.numSpeculativeTokens() == null
                ? d.path("num_speculative_tokens").asInt()
                : e.numSpeculativeTokens(),
            e.acceptanceRate() == null ? d.path("acceptance_rate").asDouble() : e.acceptanceRate());
    if (!List.of("none", "draft_model", "ngram").contains(n.method())) {
      throw ConfigException.unknown(
          f + ".method", "method", n.method(), List.of("none", "draft_model", "ngram"));
    }
    if (n.numSpeculativeTokens() < 0 || n.numSpeculativeTokens() > 16) {
      throw ConfigException.invalid(
          f + ".num_speculative_tokens", n.numSpeculativeTokens(), "an integer from 0 to 16");
    }
    if (!(n.acceptanceRate() >= 0 && n.acceptanceRate() <= 1)) {
      throw ConfigException.invalid(
          f + ".acceptance_rate", n.acceptanceRate(), "a probability in [0, 1]");
    }
    return n;
  }

  private static WorkloadEntry workload(WorkloadEntry w, String f) {
    if (w.name() == null || !w.name().matches("[A-Za-z0-9._-]+")) {
      throw ConfigException.invalid(f + ".name", w.name(), "letters, digits, '.', '_' or '-'");
    }
    int sources =
        (w.preset() != null ? 1 : 0)
            + (w.traceFile() != null ? 1 : 0)
            + (w.lengthType() != null ? 1 : 0);
    if (w.sessions() != null) {
      sessions(w.sessions(), f + ".sessions");
      if (sources != 0) {
        throw new ConfigException(
            f,
            "a workload with sessions takes its lengths from them: give none of preset,"
                + " trace_file or length_type (sessions.preset names fitted session parameters)");
      }
    } else if (sources != 1) {
      throw new ConfigException(
          f,
          "give exactly one of preset, trace_file (a length CSV) or length_type (fixed lengths),"
              + " or a sessions block");
    }
    if (w.lengthType() != null && !"fixed".equals(w.lengthType())) {
      throw ConfigException.invalid(f + ".length_type", w.lengthType(), "fixed");
    }
    WorkloadEntry n =
        new WorkloadEntry(
            w.name(),
            w.preset(),
            w.traceFile(),
            w.lengthType(),
            w.prefillTokens(),
            w.decodeTokens(),
            w.requests() == null ? 512 : w.requests(),
            w.minDuration() == null ? 60.0 : w.minDuration(),
            w.maxTokens() == null ? 4096 : w.maxTokens(),
            w.startQps() == null ? 1.0 : w.startQps(),
            w.sessions());
    if (n.maxTokens() < 2) {
      throw ConfigException.invalid(
          f + ".max_tokens", n.maxTokens(), "an integer ≥ 2 (prompt plus output tokens)");
    }
    if (n.lengthType() != null) {
      for (var t :
          List.of(
              Map.entry("prefill_tokens", Optional.ofNullable(n.prefillTokens())),
              Map.entry("decode_tokens", Optional.ofNullable(n.decodeTokens())))) {
        if (t.getValue().isEmpty() || t.getValue().get() < 1) {
          throw ConfigException.invalid(
              f + "." + t.getKey(),
              t.getValue().orElse(null),
              "an integer ≥ 1 (length_type fixed needs prefill_tokens and decode_tokens)");
        }
      }
    }
    if (n.requests() < 1) {
      throw ConfigException.invalid(f + ".requests", n.requests(), "an integer ≥ 1");
    }
    if (!(n.minDuration() >= 0) || Double.isInfinite(n.minDuration())) {
      throw ConfigException.invalid(
          f + ".min_duration", n.minDuration(), "seconds ≥ 0 (0: exactly `requests` per probe)");
    }
    if (!(n.startQps() > 0)) {
      throw ConfigException.invalid(f + ".start_qps", n.startQps(), "a positive QPS");
    }
    return n;
  }

  /** The session types of {@code workload.sessions.type} that make a workload of sessions. */
  static final List<String> SESSION_TYPES = List.of("chat", "agent", "trace");

  /**
   * The block's type and the signs of its numbers; the run config's own validation checks the rest
   * (presets, files, bounds) when the space expands, naming the workload.
   */
  private static void sessions(SearchSpace.SessionsEntry s, String f) {
    if (s.type() == null || !SESSION_TYPES.contains(s.type())) {
      throw ConfigException.invalid(
          f + ".type",
          s.type(),
          "chat (each turn: the whole history plus new user tokens), agent (short calls on one"
              + " growing context) or trace (an llmcap session file); a workload without sessions"
              + " leaves the block out");
    }
    if (s.type().equals("trace") && s.file() == null) {
      throw new ConfigException(f + ".file", "missing: type trace replays a session file");
    }
    Object[][] numbers = {
      {"system_prompts", s.systemPrompts(), 1},
      {"system_prompt_tokens", s.systemPromptTokens(), 0},
      {"turns", s.turns(), 1},
      {"first_input_tokens", s.firstInputTokens(), 1},
      {"input_tokens", s.inputTokens(), 0},
      {"output_tokens", s.outputTokens(), 1},
      {"length_cv", s.lengthCv(), 0},
      {"think_time", s.thinkTime(), 0}
    };
    for (Object[] n : numbers) {
      if (n[1] != null) {
        double v = ((Number) n[1]).doubleValue();
        int min = (Integer) n[2];
        if (!(v >= min) || Double.isInfinite(v)) {
          throw ConfigException.invalid(f + "." + n[0], n[1], "a finite number ≥ " + min);
        }
      }
    }
  }

  private static <T> List<T> nonEmpty(List<T> list, String field) {
    if (list == null || list.isEmpty()) {
      throw new ConfigException(field, "must be a non-empty list");
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new ConfigException(field + "[" + i + "]", "is empty");
      }
    }
    return list;
  }

  private static List<Integer> positives(List<Integer> list, List<Integer> dflt, String field) {
    if (list == null) {
      return dflt;
    }
    nonEmpty(list, field);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) < 1) {
        throw ConfigException.invalid(field + "[" + i + "]", list.get(i), "an integer ≥ 1");
      }
      if (!seen.add(list.get(i))) {
        throw new ConfigException(field, "lists " + list.get(i) + " twice");
      }
    }
    return list;
  }

  private static <T> void unique(List<T> list, Function<T, String> key, String field) {
    Set<String> seen = new HashSet<>();
    for (T t : list) {
      if (!seen.add(key.apply(t))) {
        throw new ConfigException(field, "lists '" + key.apply(t) + "' twice");
      }
    }
  }
}
